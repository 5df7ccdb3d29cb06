import { ApprovedModelOut, ApprovedQuery, Slug, StoredPolicyCreate, StoredPolicyOut } from '@edgeproof/contracts';
import { toStoredPolicyOut, toModelVersionOut } from '@edgeproof/db';
import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { notFound } from '../../../errors.ts';
import { findApproved } from '../../../services/gating/approvals.ts';
import { sendWithEtag } from '../../../services/gating/etag.ts';
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

  app.get(
    '/:name/approved',
    { schema: { params: NameParams, querystring: ApprovedQuery, response: { 200: ApprovedModelOut } } },
    async (request, reply) => {
      const model = await findModel(request.params.name);
      const q = request.query;
      const approval = await findApproved(app.db, model.id, q);
      if (!approval) {
        const scope = `platform ${q.platform ?? 'any'}, tier ${q.tier ?? 'any'}, channel ${q.channel}`;
        throw notFound(`approved version of ${model.name} for ${scope}`);
      }
      const v = toModelVersionOut(approval.modelVersion, model.name, app.publicUrl());
      const body: ApprovedModelOut = {
        model: model.name,
        version: v.version,
        sha256: v.sha256,
        sizeBytes: v.sizeBytes,
        gzipSizeBytes: v.gzipSizeBytes,
        format: v.format,
        downloadUrl: v.downloadUrl,
        scope: { platform: approval.platform, tier: approval.tier, channel: approval.channel },
        approval: { id: approval.id, kind: approval.kind, approvedBy: approval.approvedBy, approvedAt: approval.createdAt.toISOString() },
        evidenceUrl: approval.gateEvaluationId ? `${app.publicUrl()}/v1/gates/${approval.gateEvaluationId}` : null,
      };
      return sendWithEtag(request, reply, body);
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
