import { createHash } from 'node:crypto';
import type { FastifyReply, FastifyRequest } from 'fastify';

/**
 * Answers 304 when the client already holds this representation (If-None-Match), else sends it
 * with a strong ETag (sha256 of its JSON) and a short revalidation policy.
 */
export function sendWithEtag(request: FastifyRequest, reply: FastifyReply, body: unknown) {
  const etag = `"${createHash('sha256').update(JSON.stringify(body)).digest('base64url').slice(0, 32)}"`;
  reply.header('etag', etag).header('cache-control', 'private, no-cache');
  const match = request.headers['if-none-match'];
  if (match && match.split(',').some((t) => t.trim() === etag || t.trim() === `W/${etag}` || t.trim() === '*')) {
    return reply.status(304).send();
  }
  return reply.status(200).send(body);
}
