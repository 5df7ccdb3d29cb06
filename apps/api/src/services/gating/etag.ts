import { createHash } from 'node:crypto';
import type { FastifyReply, FastifyRequest } from 'fastify';

/** A JSON answer serialized once, with its strong ETag (sha256 of the JSON), ready to send again and again. */
export interface JsonAnswer {
  body: string;
  etag: string;
}

export function jsonAnswer(value: unknown): JsonAnswer {
  const body = JSON.stringify(value);
  return { body, etag: `"${createHash('sha256').update(body).digest('base64url').slice(0, 32)}"` };
}

/** Revalidate on every use: the answer can change (an approval). */
export const REVALIDATE = 'private, no-cache';
/** Never changes at this URL (an immutable release manifest). */
export const IMMUTABLE = 'public, max-age=31536000, immutable';

function held(request: FastifyRequest, etag: string): boolean {
  const match = request.headers['if-none-match'];
  if (!match) return false;
  for (const raw of match.split(',')) {
    const t = raw.trim();
    if (t === etag || t === '*' || t === `W/${etag}`) return true;
  }
  return false;
}

/**
 * Answers 304 when the client already holds this representation (If-None-Match), else the stored
 * JSON as it is (a string with a JSON content type skips the route's serializer).
 */
export function sendJsonAnswer(request: FastifyRequest, reply: FastifyReply, answer: JsonAnswer, cacheControl: string) {
  reply.header('etag', answer.etag).header('cache-control', cacheControl);
  if (held(request, answer.etag)) return reply.status(304).send();
  return reply.status(200).type('application/json; charset=utf-8').send(answer.body);
}
