import { Sha256 } from '@edgeproof/contracts';
import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { AppError } from '../../../errors.ts';
import { boundAgent } from '../../../services/agent-identity.ts';
import { agentNeedsArtifact } from '../../../services/pinned-artifacts.ts';

/** Raw artifact bytes by content hash, for agents that run the benchmarks (and admins). */
const artifactRoutes: FastifyPluginAsyncZod = async (app) => {
  app.get('/:sha256', { config: { roles: ['agent'] }, schema: { params: z.strictObject({ sha256: Sha256 }) } }, async (request, reply) => {
    const { sha256 } = request.params;
    if (request.principal.role === 'agent') {
      const agent = boundAgent(request);
      if (!(await agentNeedsArtifact(app.db, agent, sha256))) {
        throw new AppError(403, 'forbidden', `params.sha256: no unfinished job on agent ${agent}'s devices reads artifact ${sha256}`);
      }
    }
    const { stream, sizeBytes } = await app.artifacts.openVerified(sha256);
    return reply
      .header('content-type', 'application/octet-stream')
      .header('content-length', sizeBytes)
      .header('etag', `"${sha256}"`)
      .header('cache-control', 'private, max-age=31536000, immutable')
      .send(stream);
  });
};
export default artifactRoutes;
