import type { ErrorCode } from '@edgeproof/contracts';
import { uniqueViolation } from '@edgeproof/db';
import { STATUS_CODES } from 'node:http';
import type { Socket } from 'node:net';
import type { FastifyError, FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { hasZodFastifySchemaValidationErrors, isResponseSerializationError } from 'fastify-type-provider-zod';
import { ZodError } from 'zod';
import { unavailableService } from './unavailable.ts';

export class AppError extends Error {
  constructor(
    readonly status: number,
    readonly code: ErrorCode,
    message: string,
    readonly details?: unknown,
  ) {
    super(message);
  }
}

export const notFound = (what: string) => new AppError(404, 'not_found', `${what} not found`);

/**
 * What reading a multipart body threw, as the client's fault when it is: the multipart parser
 * (busboy) reports broken framing ("Unexpected end of multipart data", "Boundary not found", ...) as
 * plain `Error`s with no code; system errors (disk) carry a code, and other error classes are bugs.
 */
export function multipartReadError(err: unknown): unknown {
  if (err instanceof Error && err.constructor === Error && !('code' in err) && !('statusCode' in err)) {
    return new AppError(400, 'bad_request', `body: malformed multipart/form-data (${err.message})`);
  }
  return err;
}

function zodIssues(issues: ReadonlyArray<{ path: PropertyKey[]; message: string; code?: string; keys?: string[] }>, prefix: string) {
  return issues.map((i) => {
    const path = [prefix, ...i.path.map(String)].filter(Boolean).join('.');
    const field = i.keys?.length ? `${path ? `${path}.` : ''}${i.keys.join(', ')}` : path;
    return { field, message: i.message };
  });
}

const fastifyStatusCodes: Record<number, ErrorCode> = {
  400: 'bad_request',
  401: 'unauthorized',
  403: 'forbidden',
  404: 'not_found',
  406: 'bad_request',
  409: 'conflict',
  413: 'payload_too_large',
  415: 'bad_request',
};

/** One place that turns every failure into `{ error: { code, message, details } }`. */
export function registerErrorHandler(app: FastifyInstance): void {
  app.setErrorHandler((err: FastifyError, request, reply) => {
    if (err instanceof AppError) {
      return reply.status(err.status).send({ error: { code: err.code, message: err.message, details: err.details } });
    }
    if (hasZodFastifySchemaValidationErrors(err)) {
      const where = err.validationContext ?? 'body';
      const fields = err.validation.map((v) => {
        const keys = (v.params as { keys?: string[] } | undefined)?.keys;
        const path = [where, ...v.instancePath.split('/').filter(Boolean)];
        if (keys?.length) path.push(keys.join(', '));
        return { field: path.join('.'), message: v.message ?? 'invalid' };
      });
      const first = fields[0];
      return reply.status(400).send({
        error: {
          code: 'bad_request',
          message: first ? `${first.field}: ${first.message}` : 'request does not match the schema',
          details: { fields },
        },
      });
    }
    if (err instanceof ZodError) {
      const fields = zodIssues(err.issues as never, 'body');
      return reply.status(400).send({
        error: { code: 'bad_request', message: fields[0] ? `${fields[0].field}: ${fields[0].message}` : 'invalid request', details: { fields } },
      });
    }
    const unique = uniqueViolation(err);
    if (unique) {
      // a concurrent request created the same thing first; routes that can answer better re-read instead
      const what = unique.model ? unique.model.replace(/([a-z])([A-Z])/g, '$1 $2').toLowerCase() : 'record';
      const key = unique.fields.length ? ` with the same ${unique.fields.join(', ')}` : '';
      request.log.info({ model: unique.model, fields: unique.fields }, 'unique constraint conflict');
      return reply.status(409).send({
        error: { code: 'conflict', message: `a ${what}${key} already exists (created by a concurrent request)`, details: { fields: unique.fields } },
      });
    }
    const service = unavailableService(err);
    if (service) {
      request.log.warn({ err: err.message }, `${service} unavailable`);
      void reply.header('retry-after', '5');
      return reply.status(503).send({ error: { code: 'unavailable', message: `${service} is unavailable; try again shortly` } });
    }
    if (isResponseSerializationError(err)) {
      request.log.error({ err, issues: err.cause.issues }, 'response did not match its schema');
      return reply.status(500).send({ error: { code: 'internal', message: 'internal error' } });
    }
    const status = err.statusCode ?? 500;
    if (status < 500 && fastifyStatusCodes[status]) {
      const message = err.code === 'FST_ERR_CTP_INVALID_JSON_BODY' || err instanceof SyntaxError ? `body: malformed JSON (${err.message})` : err.message;
      return reply.status(status).send({ error: { code: fastifyStatusCodes[status], message } });
    }
    request.log.error({ err }, 'unhandled error');
    return reply.status(500).send({ error: { code: 'internal', message: 'internal error' } });
  });
  app.setNotFoundHandler((request, reply) => {
    void reply.status(404).send({ error: { code: 'not_found', message: `no route ${request.method} ${request.url.split('?')[0]}` } });
  });
}

/**
 * Errors Fastify raises before a route is found (a URL that is not valid percent-encoding, a path
 * parameter past maxParamLength): the `frameworkErrors` option, so they too answer in our shape.
 */
export function frameworkErrors(err: FastifyError, request: FastifyRequest, reply: FastifyReply): void {
  const status = err.statusCode ?? 500;
  if (status >= 500) {
    request.log.error({ err }, 'framework error');
    void reply.status(500).send({ error: { code: 'internal', message: 'internal error' } });
    return;
  }
  const message = err.code === 'FST_ERR_BAD_URL' ? 'url: not a valid URL (malformed percent-encoding)' : err.code === 'FST_ERR_MAX_PARAM_LENGTH' ? 'url: a path parameter is too long' : err.message;
  void reply.status(status).send({ error: { code: 'bad_request', message } });
}

/**
 * Requests Node's HTTP parser refuses (malformed request line or headers, headers past the size
 * limit, too slow to arrive): the `clientErrorHandler` option, answering in our error shape.
 */
export function clientErrorHandler(err: Error & { code?: string }, socket: Socket): void {
  if (err.code === 'ECONNRESET' || socket.destroyed) return;
  const [status, message] =
    err.code === 'ERR_HTTP_REQUEST_TIMEOUT'
      ? [408, 'the request did not arrive in time']
      : err.code === 'HPE_HEADER_OVERFLOW'
        ? [431, 'the request headers are larger than the server accepts']
        : [400, 'malformed HTTP request'];
  const body = JSON.stringify({ error: { code: 'bad_request', message } });
  if (socket.writable) {
    socket.write(`HTTP/1.1 ${status} ${STATUS_CODES[status]}\r\nContent-Length: ${Buffer.byteLength(body)}\r\nContent-Type: application/json; charset=utf-8\r\nConnection: close\r\n\r\n${body}`);
  }
  socket.destroy(err);
}
