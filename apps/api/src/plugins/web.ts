import { existsSync, statSync } from 'node:fs';
import { join, normalize, sep } from 'node:path';
import { fileURLToPath } from 'node:url';
import fastifyStatic from '@fastify/static';
import type { FastifyPluginAsync } from 'fastify';
import fp from 'fastify-plugin';

/** apps/web's build output, next to this app in the monorepo */
export const defaultWebRoot = fileURLToPath(new URL('../../../web/dist', import.meta.url));

/** paths that belong to the API, never to the single-page app */
const API_PREFIXES = ['/v1', '/docs', '/health', '/ready'];

/**
 * Serves the dashboard (apps/web build) when it has been built: its files are public (like /docs);
 * every /v1 call the page makes still needs a token. Unknown non-API paths get index.html so that
 * client-side routes survive a reload.
 */
const webPlugin: FastifyPluginAsync<{ root?: string }> = async (app, opts) => {
  const root = opts.root ?? defaultWebRoot;
  if (!existsSync(join(root, 'index.html'))) {
    app.log.info({ root }, 'dashboard not built (npm run build -w @edgeproof/web); not serving it');
    return;
  }
  await app.register(fastifyStatic, { root, serve: false, preCompressed: true });
  app.get('/*', { config: { public: true }, schema: { hide: true } }, async (request, reply) => {
    let path: string;
    try {
      path = decodeURIComponent(request.url.split('?')[0] ?? '/');
    } catch {
      return reply.callNotFound();
    }
    if (API_PREFIXES.some((p) => path === p || path.startsWith(`${p}/`))) return reply.callNotFound();
    const file = normalize(path).replace(/^[/\\]+/, '');
    const full = join(root, file);
    if (file && !file.split(sep).includes('..') && existsSync(full) && statSync(full).isFile()) {
      // hashed build assets never change; index.html must always be revalidated
      const immutable = file.startsWith(`assets${sep}`);
      return reply.sendFile(file, { maxAge: immutable ? 365 * 24 * 3600 * 1000 : 0, immutable });
    }
    return reply.header('cache-control', 'no-cache').sendFile('index.html', { maxAge: 0 });
  });
};
export default fp(webPlugin, { name: 'web' });
