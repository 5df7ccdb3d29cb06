import { ErrorBody, Page, PageQuery, RunCreate, RunOut, RunSummaryOut, RuntimeTable, Slug } from '@edgeproof/contracts';
import { toRunOut } from '@edgeproof/db';
import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { notFound } from '../../../errors.ts';
import { cancelRun } from '../../../services/cancel.ts';
import { cancelGatesOfCancelledRuns } from '../../../services/gating/gate-cancel.ts';
import { Coalescer } from '../../../services/reads/coalesce.ts';
import { sendJsonText } from '../../../services/reads/reply.ts';
import { runJson, runsPageJson } from '../../../services/reads/runs.ts';
import { runtimeTable } from '../../../services/reads/runtime-table.ts';
import { createRun } from '../../../services/runs.ts';

const IdempotencyHeaders = z.object({ 'idempotency-key': z.string().min(1).max(200).optional() });
const RunListQuery = PageQuery.extend({ model: Slug.optional() });
const RunReadQuery = z.object({ samples: z.enum(['true', 'false']).default('true') });

const runRoutes: FastifyPluginAsyncZod = async (app) => {
  app.post(
    '/',
    { config: { roles: ['ml_engineer', 'ci'] }, schema: { body: RunCreate, headers: IdempotencyHeaders, response: { 200: RunOut, 201: RunOut } } },
    async (request, reply) => {
      const { run, created } = await createRun(app.db, app.queues, request.log, request.body, request.principal.name, request.headers['idempotency-key']);
      return reply.status(created ? 201 : 200).send(toRunOut(run));
    },
  );

  // dashboards and CLIs poll run lists: the same page asked for at once is one query (services/reads/coalesce.ts)
  const pages = new Coalescer<string>();
  app.get('/', { schema: { querystring: RunListQuery, response: { 200: Page(RunSummaryOut) } } }, async (request, reply) => {
    const { model, limit, cursor } = request.query;
    return sendJsonText(reply, await pages.run(JSON.stringify([model, limit, cursor]), () => runsPageJson(app.sql, { model, limit, cursor })));
  });

  app.post(
    '/:id/cancel',
    {
      config: { roles: ['ml_engineer', 'ci'] },
      schema: {
        description:
          'Cancels a queued or running run: queued jobs leave their device queues, running ones are told to stop at their next lock renewal, and the run (and a gate waiting on it) ends cancelled. Repeating it answers the cancelled run; a finished run is 409.',
        params: z.strictObject({ id: z.uuid() }),
        response: { 200: RunOut, 409: ErrorBody },
      },
    },
    async (request) => {
      const run = await cancelRun({ db: app.db, queues: app.queues, log: request.log }, request.params.id, request.principal.name);
      await cancelGatesOfCancelledRuns(app.db, run.id);
      return toRunOut(run);
    },
  );

  app.get(
    '/:id',
    {
      schema: {
        description: 'A run with its jobs and their results. `samples=false` leaves the raw samples out (of every result and its environment): what a dashboard or a poll needs.',
        params: z.strictObject({ id: z.uuid() }),
        querystring: RunReadQuery,
        response: { 200: RunOut },
      },
    },
    async (request, reply) => {
      const body = await runJson(app.sql, request.params.id, request.query.samples !== 'false');
      if (body === null) throw notFound(`run ${request.params.id}`);
      return sendJsonText(reply, body);
    },
  );

  app.get(
    '/:id/runtimes',
    {
      schema: {
        description:
          'The run\'s figures per device, version and runtime, side by side: latency, memory, size, gzip size, accuracy and output agreement with the parity reference. A job run on several runtimes (settings.runtimes) gives a row per runtime; variants (other forms of the candidate) and an interleaved baseline get their own rows.',
        params: z.strictObject({ id: z.uuid() }),
        response: { 200: RuntimeTable },
      },
    },
    async (request) => {
      const rows = await runtimeTable(app.db, request.params.id);
      if (rows === null) throw notFound(`run ${request.params.id}`);
      return { run: request.params.id, rows };
    },
  );
};
export default runRoutes;
