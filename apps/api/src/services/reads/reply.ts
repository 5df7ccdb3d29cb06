import type { Readable } from 'node:stream';
import type { FastifyReply } from 'fastify';

/**
 * Sends JSON text (or a stream of it) that Postgres or a cache already produced: a string or a
 * stream with a JSON content type skips the route's serializer; the route's response schema still
 * documents the shape, which the code producing the text keeps.
 */
export function sendJsonText(reply: FastifyReply, json: string | Readable) {
  return reply.type('application/json; charset=utf-8').send(json);
}
