import { ApprovalCreate, ApprovalOut, ApprovalRevoke, Page, PageQuery, Slug } from '@edgeproof/contracts';
import { gateProvenance, toApprovalOut } from '@edgeproof/db';
import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { AppError, notFound } from '../../../errors.ts';
import { approve, revoke } from '../../../services/gating/approvals.ts';
import { pageArgs, toPage } from '../../../services/pagination.ts';

const IdParams = z.strictObject({ id: z.uuid() });
const ListQuery = PageQuery.extend({ model: Slug.optional(), state: z.enum(['active', 'superseded', 'revoked']).optional() });
const include = { model: true, modelVersion: true } as const;

/**
 * Manual approvals and revocations. Approving a version with a passing gate needs ml_engineer (or
 * admin) and a reason; approving one without a passing gate is an override: admin only. Any passed
 * gate counts here, an inline-policy one or a re-evaluation too: the approver is a person with a
 * role that may write stored policies anyway, and the audit entry records which policy (inline or
 * stored, revision) the gate passed under. ci never approves by hand (not in the route's roles).
 */
const approvalRoutes: FastifyPluginAsyncZod = async (app) => {
  app.post('/', { config: { roles: ['ml_engineer'] }, schema: { body: ApprovalCreate, response: { 201: ApprovalOut } } }, async (request, reply) => {
    const b = request.body;
    const version = await app.db.modelVersion.findFirst({ where: { version: b.version, model: { name: b.model } }, include: { model: true } });
    if (!version) throw notFound(`version ${b.version} of model ${b.model}`);
    const gate = b.gate
      ? await app.db.gateEvaluation.findUnique({ where: { id: b.gate } })
      : await app.db.gateEvaluation.findFirst({ where: { modelVersionId: version.id, status: 'done' }, orderBy: [{ verdict: 'asc' }, { finishedAt: 'desc' }] });
    if (b.gate && (!gate || gate.modelVersionId !== version.id)) throw notFound(`gate ${b.gate} of ${b.model} ${b.version}`);
    const passed = gate?.status === 'done' && gate.verdict === 'pass';
    if (!passed && request.principal.role !== 'admin') {
      const why = gate ? `its gate ${gate.id} is ${gate.verdict ?? gate.status}` : 'it has no gate evaluation';
      throw new AppError(403, 'forbidden', `${b.model} ${b.version} has not passed a gate (${why}): overriding needs the admin role`);
    }
    const approval = await approve(
      app.db,
      {
        modelId: version.modelId,
        modelName: version.model.name,
        modelVersionId: version.id,
        version: version.version,
        platform: b.platform,
        tier: b.tier,
        channel: b.channel,
        kind: passed ? 'manual' : 'override',
        reason: b.reason,
        gateEvaluationId: gate?.id ?? null,
        evidence: { gateVerdict: gate?.verdict ?? null, gateStatus: gate?.status ?? null, gatePolicy: gate ? (gateProvenance(gate)?.origin ?? null) : null },
      },
      request.principal,
    );
    const row = await app.db.approval.findUniqueOrThrow({ where: { id: approval.id }, include });
    return reply.status(201).send(toApprovalOut(row));
  });

  app.get('/', { schema: { querystring: ListQuery, response: { 200: Page(ApprovalOut) } } }, async (request) => {
    const { model, state, ...page } = request.query;
    const stateWhere =
      state === 'active' ? { revokedAt: null, supersededAt: null } : state === 'revoked' ? { revokedAt: { not: null } } : state === 'superseded' ? { revokedAt: null, supersededAt: { not: null } } : {};
    const rows = await app.db.approval.findMany({ where: { ...(model ? { model: { name: model } } : {}), ...stateWhere }, include, ...pageArgs(page) });
    return toPage(rows, page.limit, toApprovalOut);
  });

  app.get('/:id', { schema: { params: IdParams, response: { 200: ApprovalOut } } }, async (request) => {
    const row = await app.db.approval.findUnique({ where: { id: request.params.id }, include });
    if (!row) throw notFound(`approval ${request.params.id}`);
    return toApprovalOut(row);
  });

  app.post(
    '/:id/revoke',
    { config: { roles: ['ml_engineer'] }, schema: { params: IdParams, body: ApprovalRevoke, response: { 200: ApprovalOut } } },
    async (request) => {
      const row = await app.db.approval.findUnique({ where: { id: request.params.id } });
      if (!row) throw notFound(`approval ${request.params.id}`);
      if (row.revokedAt) throw new AppError(409, 'conflict', `approval ${row.id} was already revoked by ${row.revokedBy} at ${row.revokedAt.toISOString()}`);
      await revoke(app.db, row.id, request.body.reason, request.principal);
      return toApprovalOut(await app.db.approval.findUniqueOrThrow({ where: { id: row.id }, include }));
    },
  );
};
export default approvalRoutes;
