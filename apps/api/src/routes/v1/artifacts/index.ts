import { Sha256 } from '@edgeproof/contracts';
import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { z } from 'zod';

/** Raw artifact bytes by content hash, for agents that run the benchmarks. */
const artifactRoutes: FastifyPluginAsyncZod = async (app) => {
  app.get('/:sha256', { config: { roles: ['agent'] }, schema: { params: z.strictObject({ sha256: Sha256 }) } }, async (request, reply) => {
    const { stream, sizeBytes } = await app.artifacts.openVerified(request.params.sha256);
    return reply
      .header('content-type', 'application/octet-stream')
      .header('content-length', sizeBytes)
      .header('etag', `"${request.params.sha256}"`)
      .header('cache-control', 'public, max-age=31536000, immutable')
      .send(stream);
  });
};
export default artifactRoutes;
