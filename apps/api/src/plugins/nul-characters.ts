import type { FastifyPluginAsync } from 'fastify';
import fp from 'fastify-plugin';
import { AppError } from '../errors.ts';

/**
 * PostgreSQL text cannot hold U+0000, so a NUL inside any string of a JSON body, the query or the
 * path would reach the database and fail there as a 500. It is refused up front as a 400 naming
 * the field. Numbers in arrays are skipped unexamined, so a result with a million raw samples
 * costs a few milliseconds here.
 */
const nulCharactersPlugin: FastifyPluginAsync = async (app) => {
  app.addHook('preValidation', async (req) => {
    for (const [part, value] of [['params', req.params], ['query', req.query]] as const) {
      const at = nulPath(value, part);
      if (at !== null) throw new AppError(400, 'bad_request', `${at}: contains a NUL character (U+0000), which no text field may hold`);
    }
    if (req.body !== null && typeof req.body === 'object' && !Buffer.isBuffer(req.body)) {
      const at = nulPath(req.body, 'body');
      if (at !== null) throw new AppError(400, 'bad_request', `${at}: contains a NUL character (U+0000), which no text field may hold`);
    }
  });
};

/** the path of the first string (or key) holding U+0000, e.g. `body.devices[0].tags[2]`, or null */
export function nulPath(value: unknown, path: string): string | null {
  if (typeof value === 'string') return value.includes('\u0000') ? path : null;
  if (value === null || typeof value !== 'object') return null;
  if (Array.isArray(value)) {
    for (let i = 0; i < value.length; i++) {
      const item = value[i];
      if (typeof item === 'number') continue;
      const at = nulPath(item, `${path}[${i}]`);
      if (at !== null) return at;
    }
    return null;
  }
  for (const [key, item] of Object.entries(value)) {
    if (key.includes('\u0000')) return `${path} (a key)`;
    const at = nulPath(item, `${path}.${key}`);
    if (at !== null) return at;
  }
  return null;
}

export default fp(nulCharactersPlugin, { name: 'nul-characters' });
