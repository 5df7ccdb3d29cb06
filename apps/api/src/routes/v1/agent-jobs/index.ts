import { AgentEpochHeaders, JobFailure, JobLease, JobLockRenew, JobLockReply, JobNextRequest, JobStart, JobStartReply, ResultPost, typedEnvironment, type JobStatus } from '@edgeproof/contracts';
import { Prisma } from '@edgeproof/db';
import type { FastifyRequest } from 'fastify';
import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { AppError, notFound } from '../../../errors.ts';
import { assertCurrentEpoch, boundAgent, callerEpoch, callingAgent, holdCurrentEpoch } from '../../../services/agent-identity.ts';
import { bullJobId } from '../../../services/job-payload.ts';
import { refreshRunStatus } from '../../../services/run-status.ts';
import { RESULT_TRANSACTION_TIMEOUT_MS, storeRawSamples } from '../../../services/raw-samples.ts';

const Params = z.strictObject({ jobId: z.uuid() });
const ResultAck = z.object({ stored: z.boolean() });
const HandBack = z.strictObject({ lockToken: z.string().min(1).max(200), reason: z.string().max(2000).optional() });

/**
 * How agents get and report jobs, over HTTPS only: long-poll for the next job (handed out locked to a
 * token, with the device's lease), renew the lock, start, then a result, a failure or a hand-back.
 * Every call is safe to repeat, and only the live instance of the agent whose device the job is
 * queued to may make it (docs/adr/0005-agents-over-https.md).
 */
const agentJobRoutes: FastifyPluginAsyncZod = async (app) => {
  /** `stale`: a superseded process may still give up what it holds (never report or take anything) */
  const findJob = async (request: FastifyRequest, id: string, stale = false) => {
    const bound = boundAgent(request);
    const epoch = callerEpoch(request);
    const job = await app.db.job.findUnique({
      where: { id },
      include: { result: { select: { id: true } }, device: { select: { id: true, attributes: true, agent: { select: { name: true, epoch: true } } } } },
    });
    if (!job) throw notFound(`job ${id}`);
    const owner = job.device.agent;
    if (owner.name !== bound) {
      throw new AppError(403, 'forbidden', `params.jobId: job ${id} is queued to a device of agent ${owner.name}; this token acts for agent ${bound}`);
    }
    if (!stale || epoch > owner.epoch) assertCurrentEpoch(owner, epoch);
    return { ...job, agentName: owner.name, epoch, bullJobId: bullJobId(job), agent: { name: owner.name, epoch } };
  };
  /** Changes a job only while it is still this agent's, in one of `from`, and the caller's epoch is current. */
  const claimJob = async (tx: Prisma.TransactionClient, job: { id: string; deviceId: string; agentName: string; epoch: number }, from: JobStatus[], data: Prisma.JobUpdateManyMutationInput) => {
    await holdCurrentEpoch(tx, job.agentName, job.epoch);
    const { count } = await tx.job.updateMany({ where: { id: job.id, deviceId: job.deviceId, status: { in: from }, result: { is: null } }, data });
    return count === 1;
  };

  app.post(
    '/next',
    { config: { agentOnly: true }, schema: { headers: AgentEpochHeaders, body: JobNextRequest, response: { 200: JobLease, 204: z.null() } } },
    async (request, reply) => {
      const agent = await callingAgent(app.db, request);
      const own = await app.db.device.findMany({ where: { agentId: agent.id }, select: { id: true, attributes: true, status: true } });
      const asked = request.body.devices;
      const foreign = asked?.filter((id) => !own.some((d) => d.id === id)) ?? [];
      if (foreign.length) throw new AppError(403, 'forbidden', `body.devices: ${foreign.join(', ')} ${foreign.length > 1 ? 'are not devices' : 'is not a device'} of agent ${agent.name}`);
      const devices = own.filter((d) => (!asked || asked.includes(d.id)) && d.status !== 'quarantined');
      if (!devices.length) return reply.status(204).send(null);
      // the long poll ends early when the agent hangs up
      const hungUp = new AbortController();
      request.raw.once('close', () => hungUp.abort());
      const lease = await app.dispatcher.next({ name: agent.name, epoch: agent.epoch }, devices, request.body.waitMs, hungUp.signal);
      if (!lease) return reply.status(204).send(null);
      if (hungUp.signal.aborted) {
        // nobody is there to take it: back on its queue untouched
        const job = await app.db.job.findUniqueOrThrow({ where: { id: lease.jobId }, include: { device: { select: { id: true, attributes: true } } } });
        await app.dispatcher.handBack({ name: agent.name, epoch: agent.epoch }, { ...job, bullJobId: bullJobId(job) }, lease.lockToken);
        return reply.status(204).send(null);
      }
      return lease;
    },
  );

  app.post(
    '/:jobId/lock',
    { config: { agentOnly: true }, schema: { headers: AgentEpochHeaders, params: Params, body: JobLockRenew, response: { 200: JobLockReply } } },
    async (request) => {
      const job = await findJob(request, request.params.jobId);
      await app.dispatcher.renew(job.agent, job, request.body.lockToken);
      const lockDurationMs = app.config.JOB_LOCK_DURATION_MS ?? 30_000;
      if (job.status === 'cancelled') return { cancel: true, reason: job.error ?? 'the run was cancelled', lockDurationMs };
      return { cancel: false, lockDurationMs };
    },
  );

  app.post('/:jobId/start', { config: { agentOnly: true }, schema: { headers: AgentEpochHeaders, params: Params, body: JobStart, response: { 200: JobStartReply } } }, async (request) => {
    const job = await findJob(request, request.params.jobId);
    const { lockToken } = request.body;
    await app.dispatcher.assertLock(job, lockToken);
    const notNow = job.result || job.status === 'succeeded' ? 'job already has a result' : job.status === 'failed' ? `job already failed: ${job.error ?? ''}` : job.status === 'cancelled' ? 'job was cancelled' : null;
    if (notNow) {
      await app.dispatcher.complete(job.agent, job, lockToken, 'skipped');
      return { proceed: false, reason: notNow };
    }
    const started = await app.db.$transaction(async (tx) => {
      // every start counts: a re-run after a stall is an attempt too
      const ok = await claimJob(tx, job, ['queued', 'running'], { status: 'running', attempts: { increment: 1 }, startedAt: job.startedAt ?? new Date() });
      if (!ok) return false;
      await tx.device.update({ where: { id: job.deviceId }, data: { currentJobId: job.id, ...(await busyUnlessHeld(tx, job.deviceId)) } });
      await refreshRunStatus(tx, job.runId);
      return true;
    });
    if (!started) {
      await app.dispatcher.complete(job.agent, job, lockToken, 'skipped');
      return { proceed: false, reason: 'the job changed meanwhile (finished, failed, cancelled or moved to another device)' };
    }
    return { proceed: true };
  });

  app.post(
    '/:jobId/result',
    { config: { agentOnly: true }, bodyLimit: 128 * 1024 * 1024, schema: { headers: AgentEpochHeaders, params: Params, body: ResultPost, response: { 200: ResultAck, 201: ResultAck } } },
    async (request, reply) => {
      const job = await findJob(request, request.params.jobId);
      const { lockToken, ...result } = request.body;
      if (job.result) {
        await app.dispatcher.complete(job.agent, job, lockToken, 'duplicate');
        return reply.status(200).send({ stored: false });
      }
      await app.dispatcher.assertLock(job, lockToken);
      // nothing more will come of a cancelled job: its queue entry is done, the device free
      if (job.status === 'cancelled') await app.dispatcher.complete(job.agent, job, lockToken, 'cancelled');
      if (job.status !== 'running') {
        throw new AppError(409, 'conflict', `job ${job.id} is ${job.status}, not running: a result is accepted only for a started job${job.status === 'failed' ? ` (it failed: ${job.error ?? 'no reason'})` : ''}`);
      }
      if (result.summary.kind !== job.benchmark) {
        throw new AppError(400, 'bad_request', `body.summary.kind: ${result.summary.kind} does not match the job's benchmark ${job.benchmark}`);
      }
      const environment = typedEnvironmentOrError(result.environment);
      try {
        await app.db.$transaction(async (tx) => {
          const done = { status: 'succeeded' as const, error: null, finishedAt: new Date() };
          if (!(await claimJob(tx, job, ['running'], done))) {
            throw new AppError(409, 'conflict', `job ${job.id} stopped running before this result arrived (failed, cancelled, finished or moved to another device)`);
          }
          const created = await tx.result.create({
            data: { jobId: job.id, attempt: result.attempt, summary: result.summary as object, rawSamples: [], environment: environment as object },
            select: { id: true },
          });
          await storeRawSamples(tx, created.id, result.rawSamples);
          await refreshRunStatus(tx, job.runId);
        }, { timeout: RESULT_TRANSACTION_TIMEOUT_MS });
      } catch (err) {
        // a concurrent post of the same job won the race: the first result stays
        const duplicate = err instanceof Prisma.PrismaClientKnownRequestError && err.code === 'P2002';
        if (duplicate || (err instanceof AppError && err.status === 409 && (await app.db.result.count({ where: { jobId: job.id } })) > 0)) {
          return reply.status(200).send({ stored: false });
        }
        throw err;
      }
      await app.dispatcher.complete(job.agent, job, lockToken, 'stored');
      return reply.status(201).send({ stored: true });
    },
  );

  app.post('/:jobId/failure', { config: { agentOnly: true }, schema: { headers: AgentEpochHeaders, params: Params, body: JobFailure, response: { 200: ResultAck } } }, async (request) => {
    const job = await findJob(request, request.params.jobId);
    const { attempt, error, lockToken } = request.body;
    if (job.result || ['succeeded', 'failed', 'cancelled'].includes(job.status)) {
      await app.dispatcher.complete(job.agent, job, lockToken, 'already finished');
      return { stored: false };
    }
    await app.dispatcher.assertLock(job, lockToken);
    // the queue knows how many attempts are left; without a lock the agent's word decides
    const final = lockToken ? await app.dispatcher.fail(job.agent, job, lockToken, error, request.body.final) : request.body.final;
    return app.db.$transaction(async (tx) => {
      const data = final
        ? { status: 'failed' as const, error, attempts: Math.max(job.attempts, attempt), finishedAt: new Date() }
        : { status: 'queued' as const, error: `attempt ${attempt} failed, retrying: ${error}`, attempts: Math.max(job.attempts, attempt) };
      if (!(await claimJob(tx, job, ['queued', 'running'], data))) return { stored: false };
      await refreshRunStatus(tx, job.runId);
      return { stored: true };
    });
  });

  app.post('/:jobId/release', { config: { agentOnly: true }, schema: { headers: AgentEpochHeaders, params: Params, body: HandBack, response: { 200: ResultAck } } }, async (request) => {
    const job = await findJob(request, request.params.jobId, true);
    await app.dispatcher.assertLock(job, request.body.lockToken);
    await app.dispatcher.handBack(job.agent, job, request.body.lockToken);
    // a superseded process frees the job and its device; the job row is the live instance's business
    if (job.epoch !== job.device.agent.epoch) return { stored: true };
    await app.db.$transaction(async (tx) => {
      if (await claimJob(tx, job, ['running'], { status: 'queued', error: `handed back by the agent: ${request.body.reason ?? 'no reason given'}` })) {
        await refreshRunStatus(tx, job.runId);
      }
    });
    return { stored: true };
  });
};

async function busyUnlessHeld(tx: Prisma.TransactionClient, deviceId: string) {
  const device = await tx.device.findUnique({ where: { id: deviceId }, select: { status: true } });
  return device?.status === 'quarantined' || device?.status === 'offline' ? {} : { status: 'busy' as const };
}

export default agentJobRoutes;

/** The environment with its typed fields lifted out of `extra` (a malformed one is the agent's 400). */
function typedEnvironmentOrError(env: ResultPost['environment']) {
  try {
    return typedEnvironment(env);
  } catch (err) {
    const issue = (err as { issues?: { path: PropertyKey[]; message: string }[] }).issues?.[0];
    throw new AppError(400, 'bad_request', `body.environment${issue ? `.${issue.path.map(String).join('.')}: ${issue.message}` : `: ${(err as Error).message}`}`);
  }
}
