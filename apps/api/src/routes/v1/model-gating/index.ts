import { ApprovedModelOut, ApprovedQuery, Slug, StoredPolicyCreate, StoredPolicyOut } from '@edgeproof/contracts';
import { toStoredPolicyOut } from '@edgeproof/db';
import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { notFound } from '../../../errors.ts';
import { approvedAnswer } from '../../../services/gating/approved-reads.ts';
import { REVALIDATE, sendJsonAnswer } from '../../../services/gating/etag.ts';
import { savePolicy } from '../../../services/gating/policies.ts';

const NameParams = z.strictObject({ name: Slug });
const PolicyParams = z.strictObject({ name: Slug, policy: Slug });

/** Per-model gating resources under /v1/models/:name: the approved build (app-facing) and stored policies (saved by ml_engineer or admin). */
const modelGatingRoutes: FastifyPluginAsyncZod = async (app) => {
  const findModel = async (name: string) => {
    const model = await app.db.model.findUnique({ where: { name } });
    if (!model) throw notFound(`model ${name}`);
    return model;
  };

  // the read every app makes: answered from the in-process cache (services/gating/approved-reads.ts)
  app.get(
    '/:name/approved',
    { schema: { params: NameParams, querystring: ApprovedQuery, response: { 200: ApprovedModelOut } } },
    async (request, reply) => {
      const answer = await approvedAnswer(app, app.readCaches.approved, request.params.name, request.query);
      if (!answer.found) throw notFound(answer.message);
      return sendJsonAnswer(request, reply, answer, REVALIDATE);
    },
  );

  // a stored policy approves releases automatically: saving one is reviewed work, never ci's
  app.post(
    '/:name/policies',
    { config: { roles: ['ml_engineer'] }, schema: { params: NameParams, body: StoredPolicyCreate, response: { 201: StoredPolicyOut } } },
    async (request, reply) => {
      const model = await findModel(request.params.name);
      const row = await savePolicy(app.db, model, request.body, request.principal);
      return reply.status(201).send(toStoredPolicyOut(row, model.name));
    },
  );

  app.get('/:name/policies', { schema: { params: NameParams, response: { 200: z.object({ items: z.array(StoredPolicyOut) }) } } }, async (request) => {
    const model = await findModel(request.params.name);
    const rows = await app.db.gatePolicy.findMany({ where: { modelId: model.id }, orderBy: [{ name: 'asc' }, { revision: 'desc' }], distinct: ['name'] });
    return { items: rows.map((r) => toStoredPolicyOut(r, model.name)) };
  });

  app.get('/:name/policies/:policy', { schema: { params: PolicyParams, response: { 200: StoredPolicyOut } } }, async (request) => {
    const model = await findModel(request.params.name);
    const row = await app.db.gatePolicy.findFirst({ where: { modelId: model.id, name: request.params.policy }, orderBy: { revision: 'desc' } });
    if (!row) throw notFound(`policy ${request.params.policy} of model ${model.name}`);
    return toStoredPolicyOut(row, model.name);
  });
};
export default modelGatingRoutes;
