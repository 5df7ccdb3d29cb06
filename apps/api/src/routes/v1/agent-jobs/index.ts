import { JobFailure, JobStart, JobStartReply, ResultPost, type JobStatus } from '@edgeproof/contracts';
import { Prisma } from '@edgeproof/db';
import type { FastifyRequest } from 'fastify';
import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { AppError, notFound } from '../../../errors.ts';
import { assertCurrentEpoch, boundAgent, callerEpoch, holdCurrentEpoch } from '../../../services/agent-identity.ts';
import { refreshRunStatus } from '../../../services/run-status.ts';

const Params = z.strictObject({ jobId: z.uuid() });
const ResultAck = z.object({ stored: z.boolean() });

/**
 * What agents report about the jobs they run. Every call is safe to repeat, and only the live instance
 * of the agent whose device the job is queued to may make it.
 */
const agentJobRoutes: FastifyPluginAsyncZod = async (app) => {
  const findJob = async (request: FastifyRequest, id: string) => {
    const bound = boundAgent(request);
    const epoch = callerEpoch(request);
    const job = await app.db.job.findUnique({
      where: { id },
      include: { result: { select: { id: true } }, device: { select: { agent: { select: { name: true, epoch: true } } } } },
    });
    if (!job) throw notFound(`job ${id}`);
    const owner = job.device.agent;
    if (owner.name !== bound) {
      throw new AppError(403, 'forbidden', `params.jobId: job ${id} is queued to a device of agent ${owner.name}; this token acts for agent ${bound}`);
    }
    assertCurrentEpoch(owner, epoch);
    return { ...job, agentName: owner.name, epoch };
  };
  /** Changes a job only while it is still this agent's, in one of `from`, and the caller's epoch is current. */
  const claimJob = async (tx: Prisma.TransactionClient, job: { id: string; deviceId: string; agentName: string; epoch: number }, from: JobStatus[], data: Prisma.JobUpdateManyMutationInput) => {
    await holdCurrentEpoch(tx, job.agentName, job.epoch);
    const { count } = await tx.job.updateMany({ where: { id: job.id, deviceId: job.deviceId, status: { in: from }, result: { is: null } }, data });
    return count === 1;
  };

  app.post('/:jobId/start', { config: { agentOnly: true }, schema: { params: Params, body: JobStart, response: { 200: JobStartReply } } }, async (request) => {
    const job = await findJob(request, request.params.jobId);
    if (job.result || job.status === 'succeeded') return { proceed: false, reason: 'job already has a result' };
    if (job.status === 'failed') return { proceed: false, reason: `job already failed: ${job.error ?? ''}` };
    const started = await app.db.$transaction(async (tx) => {
      const ok = await claimJob(tx, job, ['queued', 'running'], { status: 'running', attempts: Math.max(job.attempts, request.body.attempt), startedAt: job.startedAt ?? new Date() });
      if (!ok) return false;
      await tx.device.update({ where: { id: job.deviceId }, data: { currentJobId: job.id, ...(await busyUnlessHeld(tx, job.deviceId)) } });
      await refreshRunStatus(tx, job.runId);
      return true;
    });
    return started ? { proceed: true } : { proceed: false, reason: 'the job changed meanwhile (finished, failed or moved to another device)' };
  });

  app.post(
    '/:jobId/result',
    { config: { agentOnly: true }, bodyLimit: 128 * 1024 * 1024, schema: { params: Params, body: ResultPost, response: { 200: ResultAck, 201: ResultAck } } },
    async (request, reply) => {
      const job = await findJob(request, request.params.jobId);
      if (job.result) return reply.status(200).send({ stored: false });
      if (job.status !== 'running') {
        throw new AppError(409, 'conflict', `job ${job.id} is ${job.status}, not running: a result is accepted only for a started job${job.status === 'failed' ? ` (it failed: ${job.error ?? 'no reason'})` : ''}`);
      }
      if (request.body.summary.kind !== job.benchmark) {
        throw new AppError(400, 'bad_request', `body.summary.kind: ${request.body.summary.kind} does not match the job's benchmark ${job.benchmark}`);
      }
      try {
        await app.db.$transaction(async (tx) => {
          const done = { status: 'succeeded' as const, error: null, attempts: Math.max(job.attempts, request.body.attempt), finishedAt: new Date() };
          if (!(await claimJob(tx, job, ['running'], done))) {
            throw new AppError(409, 'conflict', `job ${job.id} stopped running before this result arrived (failed, finished or moved to another device)`);
          }
          await tx.result.create({
            data: {
              jobId: job.id,
              attempt: request.body.attempt,
              summary: request.body.summary as object,
              rawSamples: request.body.rawSamples,
              environment: request.body.environment as object,
            },
          });
          await refreshRunStatus(tx, job.runId);
        });
      } catch (err) {
        // a concurrent post of the same job won the race: the first result stays
        const duplicate = err instanceof Prisma.PrismaClientKnownRequestError && err.code === 'P2002';
        if (duplicate || (err instanceof AppError && err.status === 409 && (await app.db.result.count({ where: { jobId: job.id } })) > 0)) {
          return reply.status(200).send({ stored: false });
        }
        throw err;
      }
      return reply.status(201).send({ stored: true });
    },
  );

  app.post('/:jobId/failure', { config: { agentOnly: true }, schema: { params: Params, body: JobFailure, response: { 200: ResultAck } } }, async (request) => {
    const job = await findJob(request, request.params.jobId);
    if (job.result || job.status === 'succeeded' || job.status === 'failed') return { stored: false };
    const { attempt, error, final } = request.body;
    return app.db.$transaction(async (tx) => {
      const data = final
        ? { status: 'failed' as const, error, attempts: Math.max(job.attempts, attempt), finishedAt: new Date() }
        : { status: 'queued' as const, error: `attempt ${attempt} failed, retrying: ${error}`, attempts: Math.max(job.attempts, attempt) };
      if (!(await claimJob(tx, job, ['queued', 'running'], data))) return { stored: false };
      await refreshRunStatus(tx, job.runId);
      return { stored: true };
    });
  });
};

async function busyUnlessHeld(tx: Prisma.TransactionClient, deviceId: string) {
  const device = await tx.device.findUnique({ where: { id: deviceId }, select: { status: true } });
  return device?.status === 'quarantined' || device?.status === 'offline' ? {} : { status: 'busy' as const };
}

export default agentJobRoutes;
