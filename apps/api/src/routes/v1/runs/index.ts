import { Page, PageQuery, RunCreate, RunOut, RunSummaryOut, Slug } from '@edgeproof/contracts';
import { toRunOut, toRunSummaryOut } from '@edgeproof/db';
import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { notFound } from '../../../errors.ts';
import { pageArgs, toPage } from '../../../services/pagination.ts';
import { createRun, loadRun, runSummaryInclude } from '../../../services/runs.ts';

const IdempotencyHeaders = z.object({ 'idempotency-key': z.string().min(1).max(200).optional() });
const RunListQuery = PageQuery.extend({ model: Slug.optional() });

const runRoutes: FastifyPluginAsyncZod = async (app) => {
  app.post(
    '/',
    { config: { roles: ['ml_engineer', 'ci'] }, schema: { body: RunCreate, headers: IdempotencyHeaders, response: { 200: RunOut, 201: RunOut } } },
    async (request, reply) => {
      const { run, created } = await createRun(app.db, app.queues, request.log, request.body, request.principal.name, request.headers['idempotency-key']);
      return reply.status(created ? 201 : 200).send(toRunOut(run));
    },
  );

  app.get('/', { schema: { querystring: RunListQuery, response: { 200: Page(RunSummaryOut) } } }, async (request) => {
    const { model, ...page } = request.query;
    const rows = await app.db.evaluationRun.findMany({
      where: model ? { modelVersion: { model: { name: model } } } : {},
      include: runSummaryInclude,
      ...pageArgs(page),
    });
    return toPage(rows, page.limit, toRunSummaryOut);
  });

  app.get('/:id', { schema: { params: z.strictObject({ id: z.uuid() }), response: { 200: RunOut } } }, async (request) => {
    const run = await loadRun(app.db, request.params.id);
    if (!run) throw notFound(`run ${request.params.id}`);
    return toRunOut(run);
  });
};
export default runRoutes;
