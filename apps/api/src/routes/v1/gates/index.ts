import { ErrorBody, GateCreate, GateOut, GateReevaluate, Page, PageQuery, Slug } from '@edgeproof/contracts';
import { gateInclude, toGateOut } from '@edgeproof/db';
import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { notFound } from '../../../errors.ts';
import { cancelGate } from '../../../services/gating/gate-cancel.ts';
import { advanceGate, reevaluateGate, startGate, type GateDeps } from '../../../services/gating/gates.ts';
import { pageArgs, toPage } from '../../../services/pagination.ts';

const IdParams = z.strictObject({ id: z.uuid() });
const IdempotencyHeaders = z.object({ 'idempotency-key': z.string().min(1).max(200).optional() });
const GateListQuery = PageQuery.extend({ model: Slug.optional() });

/** Gate evaluations: start one (runs the devices), read it (advances it when its run finished), re-evaluate it. */
const gateRoutes: FastifyPluginAsyncZod = async (app) => {
  const deps = (): GateDeps => ({ db: app.db, queues: app.queues, log: app.log });

  // open gates also advance without a reader: the reconciler's loop (plugins/services.ts), one replica at a time

  app.post(
    '/',
    { config: { roles: ['ml_engineer', 'ci'] }, schema: { body: GateCreate, headers: IdempotencyHeaders, response: { 200: GateOut, 201: GateOut } } },
    async (request, reply) => {
      const { gate, created } = await startGate(deps(), request.body, request.principal, request.headers['idempotency-key']);
      return reply.status(created ? 201 : 200).send(toGateOut(gate, app.publicUrl()));
    },
  );

  app.get('/', { schema: { querystring: GateListQuery, response: { 200: Page(GateOut) } } }, async (request) => {
    const { model, ...page } = request.query;
    const rows = await app.db.gateEvaluation.findMany({
      where: model ? { modelVersion: { model: { name: model } } } : {},
      include: gateInclude,
      ...pageArgs(page),
    });
    return toPage(rows, page.limit, (g) => toGateOut(g, app.publicUrl()));
  });

  app.get('/:id', { schema: { params: IdParams, response: { 200: GateOut } } }, async (request) => {
    const gate = await advanceGate(deps(), request.params.id);
    if (!gate) throw notFound(`gate ${request.params.id}`);
    return toGateOut(gate, app.publicUrl());
  });

  app.post(
    '/:id/cancel',
    {
      config: { roles: ['ml_engineer', 'ci'] },
      schema: {
        description: 'Cancels a running or confirming gate and its runs: no verdict, nothing approved. Repeating it answers the cancelled gate; a decided gate is 409.',
        params: IdParams,
        response: { 200: GateOut, 409: ErrorBody },
      },
    },
    async (request) => toGateOut(await cancelGate(deps(), request.params.id, request.principal.name), app.publicUrl()),
  );

  app.post(
    '/:id/reevaluate',
    { config: { roles: ['ml_engineer', 'ci'] }, schema: { params: IdParams, body: GateReevaluate, response: { 201: GateOut } } },
    async (request, reply) => {
      const source = await advanceGate(deps(), request.params.id);
      if (!source) throw notFound(`gate ${request.params.id}`);
      const gate = await reevaluateGate(deps(), source, request.body.policy, request.principal);
      return reply.status(201).send(toGateOut(gate, app.publicUrl()));
    },
  );
};
export default gateRoutes;
