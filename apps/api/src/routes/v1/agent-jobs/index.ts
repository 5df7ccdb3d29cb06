import { JobFailure, JobStart, JobStartReply, ResultPost } from '@edgeproof/contracts';
import { Prisma } from '@edgeproof/db';
import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { AppError, notFound } from '../../../errors.ts';
import { refreshRunStatus } from '../../../services/run-status.ts';

const Params = z.strictObject({ jobId: z.uuid() });
const ResultAck = z.object({ stored: z.boolean() });

/** What agents report about the jobs they run. Every call is safe to repeat. */
const agentJobRoutes: FastifyPluginAsyncZod = async (app) => {
  const findJob = async (id: string) => {
    const job = await app.db.job.findUnique({ where: { id }, include: { result: { select: { id: true } } } });
    if (!job) throw notFound(`job ${id}`);
    return job;
  };

  app.post('/:jobId/start', { config: { roles: ['agent'] }, schema: { params: Params, body: JobStart, response: { 200: JobStartReply } } }, async (request) => {
    const job = await findJob(request.params.jobId);
    if (job.result || job.status === 'succeeded') return { proceed: false, reason: 'job already has a result' };
    if (job.status === 'failed') return { proceed: false, reason: `job already failed: ${job.error ?? ''}` };
    await app.db.$transaction(async (tx) => {
      await tx.job.update({
        where: { id: job.id },
        data: { status: 'running', attempts: Math.max(job.attempts, request.body.attempt), startedAt: job.startedAt ?? new Date() },
      });
      await tx.device.update({ where: { id: job.deviceId }, data: { currentJobId: job.id, ...(await busyUnlessHeld(tx, job.deviceId)) } });
      await refreshRunStatus(tx, job.runId);
    });
    return { proceed: true };
  });

  app.post(
    '/:jobId/result',
    { config: { roles: ['agent'] }, bodyLimit: 128 * 1024 * 1024, schema: { params: Params, body: ResultPost, response: { 200: ResultAck, 201: ResultAck } } },
    async (request, reply) => {
      const job = await findJob(request.params.jobId);
      if (job.result) return reply.status(200).send({ stored: false });
      if (request.body.summary.kind !== job.benchmark) {
        throw new AppError(400, 'bad_request', `body.summary.kind: ${request.body.summary.kind} does not match the job's benchmark ${job.benchmark}`);
      }
      try {
        await app.db.$transaction(async (tx) => {
          await tx.result.create({
            data: {
              jobId: job.id,
              attempt: request.body.attempt,
              summary: request.body.summary as object,
              rawSamples: request.body.rawSamples,
              environment: request.body.environment as object,
            },
          });
          await tx.job.update({
            where: { id: job.id },
            data: { status: 'succeeded', error: null, attempts: Math.max(job.attempts, request.body.attempt), finishedAt: new Date() },
          });
          await refreshRunStatus(tx, job.runId);
        });
      } catch (err) {
        // a concurrent post of the same job won the race: the first result stays
        if (err instanceof Prisma.PrismaClientKnownRequestError && err.code === 'P2002') return reply.status(200).send({ stored: false });
        throw err;
      }
      return reply.status(201).send({ stored: true });
    },
  );

  app.post('/:jobId/failure', { config: { roles: ['agent'] }, schema: { params: Params, body: JobFailure, response: { 200: ResultAck } } }, async (request) => {
    const job = await findJob(request.params.jobId);
    if (job.result || job.status === 'succeeded' || job.status === 'failed') return { stored: false };
    const { attempt, error, final } = request.body;
    await app.db.$transaction(async (tx) => {
      await tx.job.update({
        where: { id: job.id },
        data: final
          ? { status: 'failed', error, attempts: Math.max(job.attempts, attempt), finishedAt: new Date() }
          : { status: 'queued', error: `attempt ${attempt} failed, retrying: ${error}`, attempts: Math.max(job.attempts, attempt) },
      });
      await refreshRunStatus(tx, job.runId);
    });
    return { stored: true };
  });
};

async function busyUnlessHeld(tx: Prisma.TransactionClient, deviceId: string) {
  const device = await tx.device.findUnique({ where: { id: deviceId }, select: { status: true } });
  return device?.status === 'quarantined' || device?.status === 'offline' ? {} : { status: 'busy' as const };
}

export default agentJobRoutes;
