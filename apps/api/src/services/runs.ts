import type { RunCreate } from '@edgeproof/contracts';
import { Prisma, type Db, type RunRow } from '@edgeproof/db';
import { MissingDimensionError, InvalidShapeError, resolveInputShapes } from '@edgeproof/models';
import type { FastifyBaseLogger } from 'fastify';
import { AppError, notFound } from '../errors.ts';
import type { DeviceQueues } from '../plugins/queues.ts';
import { canRun, selectDevices } from './device-selection.ts';
import { featurePayload, featureRunInclude, featureRunsOn, resolveFeatureRun, withFeatureDefaults } from './feature-runs.ts';
import { buildEvaluatePayload, INTERLEAVED_ROLE, VARIANT_ROLE } from './job-payload.ts';
import { enqueueJobs } from './outbox.ts';

export const runInclude = {
  modelVersion: { include: { model: true } },
  baselineVersion: true,
  dataset: true,
  ...featureRunInclude,
  jobs: { include: { device: true, result: true, modelVersion: { select: { version: true } } }, orderBy: [{ queuedAt: 'asc' as const }, { id: 'asc' as const }] },
} satisfies Prisma.EvaluationRunInclude;

/** What a run list needs: no results, no raw samples. */
export const runSummaryInclude = {
  ...runInclude,
  jobs: { select: { status: true } },
} satisfies Prisma.EvaluationRunInclude;

export async function loadRun(db: Db, id: string): Promise<RunRow | null> {
  return db.evaluationRun.findUnique({ where: { id }, include: runInclude });
}

async function findVersion(db: Db, model: string, version: string) {
  const row = await db.modelVersion.findFirst({ where: { version, model: { name: model } }, include: { model: true } });
  if (!row) throw notFound(`version ${version} of model ${model}`);
  return row;
}

function checkInputShapes(version: { version: string; signature: unknown }, settings: RunCreate['settings']) {
  const signature = version.signature as { inputs: Parameters<typeof resolveInputShapes>[0] };
  try {
    resolveInputShapes(signature.inputs, { dims: settings.dims, inputShapes: settings.inputShapes });
  } catch (err) {
    if (err instanceof MissingDimensionError || err instanceof InvalidShapeError) {
      throw new AppError(422, 'unprocessable', `settings: ${err.message} (model version ${version.version})`);
    }
    throw err;
  }
}

/**
 * Validates a run request, stores the run with one job per (device, benchmark, version)
 * and queues the jobs. A repeated Idempotency-Key returns the run it created first.
 */
export async function createRun(
  db: Db,
  queues: DeviceQueues,
  log: FastifyBaseLogger,
  body: RunCreate,
  requestedBy: string,
  idempotencyKey: string | undefined,
): Promise<{ run: RunRow; created: boolean }> {
  const candidate = await findVersion(db, body.model, body.version);
  if (idempotencyKey) {
    const existing = await db.evaluationRun.findUnique({ where: { idempotencyKey }, include: runInclude });
    if (existing) {
      if (existing.modelVersionId !== candidate.id) {
        throw new AppError(409, 'conflict', `Idempotency-Key ${idempotencyKey} was already used for another run (${existing.id})`);
      }
      return { run: existing, created: false };
    }
  }
  const feature = await resolveFeatureRun(db, body, candidate.id);
  const settings = withFeatureDefaults(body.settings, feature);
  const baseline = body.baseline ? await findVersion(db, body.model, body.baseline) : null;
  const dataset = body.dataset ? await db.dataset.findUnique({ where: { name_version: body.dataset } }) : null;
  if (body.dataset && !dataset) throw notFound(`dataset ${body.dataset.name} version ${body.dataset.version}`);
  const needsDataset = body.benchmarks.includes('accuracy') || body.settings.inputSource === 'dataset';
  if (needsDataset && !dataset) {
    throw new AppError(400, 'bad_request', 'dataset: required when benchmarks include accuracy or settings.inputSource is "dataset"');
  }
  const versions = baseline ? [candidate, baseline] : [candidate];
  const variants = await findVariants(db, body, [candidate, ...versions]);
  for (const v of [...versions, ...variants]) {
    if (v.format !== 'onnx') continue;
    // accuracy reads its inputs from the dataset; latency and parity generate them unless told otherwise
    const generatesInputs = body.settings.inputSource === 'generated' && body.benchmarks.some((b) => b !== 'accuracy' && b !== 'feature');
    if (generatesInputs) checkInputShapes(v, body.settings);
    const header = dataset ? (dataset.schema as { inputs: { name: string }[] }) : null;
    const inputs = (v.signature as { inputs: { name: string }[] }).inputs;
    if (header && needsDataset) {
      const missing = inputs.filter((i) => !header.inputs.some((h) => h.name === i.name)).map((i) => i.name);
      if (missing.length) {
        throw new AppError(422, 'unprocessable', `dataset ${dataset?.name}: has no values for model input(s) ${missing.join(', ')}`);
      }
    }
  }
  const devices = await selectDevices(db, body.devices, candidate.format, body.settings?.runtimes);
  if (feature && !devices.some((d) => featureRunsOn(d, feature.build))) {
    throw new AppError(422, 'unprocessable', `devices: none of the selected devices runs ${feature.build.platform} feature builds`);
  }
  variants.forEach((v, i) => {
    if (!devices.some((d) => canRun(d, v.format, body.settings?.runtimes))) {
      throw new AppError(422, 'unprocessable', `variants[${i}]: none of the selected devices runs ${v.format} models (version ${v.version})`);
    }
  });

  let run;
  try {
    run = await db.$transaction(async (tx) => {
      const created = await tx.evaluationRun.create({
        data: {
          modelVersionId: candidate.id,
          baselineVersionId: baseline?.id ?? null,
          datasetId: dataset?.id ?? null,
          featureBuildId: feature?.build.id ?? null,
          scenarioId: feature?.scenario.id ?? null,
          deviceSelector: body.devices as object,
          benchmarks: body.benchmarks,
          settings: settings as object,
          requestedBy,
          ciContext: body.ci ? (body.ci as object) : Prisma.DbNull,
          idempotencyKey: idempotencyKey ?? null,
        },
      });
      // candidate and baseline alternate per device so drift hits both alike
      const rows = devices.flatMap((device) =>
        body.benchmarks.flatMap((benchmark) =>
          // a feature build replays once per device that can run it, with the model it pins
          (benchmark === 'feature' ? (feature && featureRunsOn(device, feature.build) ? [candidate] : []) : body.interleave && baseline && benchmark === 'latency' ? [candidate] : versions).map((v, i) => ({
            runId: created.id,
            deviceId: device.id,
            benchmark,
            modelVersionId: v.id,
            role: i > 0 ? 'baseline' : body.interleave && baseline && benchmark === 'latency' ? INTERLEAVED_ROLE : 'candidate',
          })),
        ),
      );
      // every other form of the candidate, on each selected device that runs its format
      for (const v of variants) {
        for (const device of devices.filter((d) => canRun(d, v.format, body.settings?.runtimes))) {
          for (const benchmark of body.benchmarks.filter((b) => b !== 'feature')) {
            rows.push({ runId: created.id, deviceId: device.id, benchmark, modelVersionId: v.id, role: VARIANT_ROLE });
          }
        }
      }
      // the outbox: enqueuedAt stays null until the job is on its device queue (enqueueRunJobs, after commit)
      await tx.job.createMany({ data: rows });
      return created;
    });
  } catch (err) {
    if (idempotencyKey && err instanceof Prisma.PrismaClientKnownRequestError && err.code === 'P2002') {
      const existing = await db.evaluationRun.findUnique({ where: { idempotencyKey }, include: runInclude });
      if (existing) return { run: existing, created: false };
    }
    throw err;
  }
  const full = (await loadRun(db, run.id)) as RunRow;
  await enqueueRunJobs(db, queues, log, full);
  return { run: full, created: true };
}

/**
 * Queues every job of the run still in the outbox and stamps it (also on `run.jobs`). With Redis down
 * the run is still created: its jobs stay unstamped and the watchdog's reconcile pass (flushOutbox)
 * queues them once Redis is back; BullMQ ignores a job id it already holds, so none runs twice.
 */
export async function enqueueRunJobs(db: Db, queues: DeviceQueues, log: FastifyBaseLogger, run: RunRow): Promise<void> {
  const versionsById = new Map([[run.modelVersion.id, run.modelVersion]]);
  if (run.baselineVersion) versionsById.set(run.baselineVersion.id, { ...run.baselineVersion, model: run.modelVersion.model });
  const variantIds = [...new Set(run.jobs.filter((j) => j.role === VARIANT_ROLE && j.enqueuedAt === null).map((j) => j.modelVersionId))];
  if (variantIds.length) {
    for (const v of await db.modelVersion.findMany({ where: { id: { in: variantIds } } })) versionsById.set(v.id, { ...v, model: run.modelVersion.model });
  }
  const jobs = run.jobs.filter((j) => versionsById.has(j.modelVersionId));
  const byId = new Map(jobs.map((j) => [j.id, j]));
  const { enqueued, at } = await enqueueJobs(db, queues, log, jobs, (j) => {
    const job = byId.get(j.id) as RunRow['jobs'][number];
    const baseline = job.role === INTERLEAVED_ROLE && run.baselineVersion ? { ...run.baselineVersion, model: run.modelVersion.model } : undefined;
    const featureRun = job.benchmark === 'feature' && run.featureBuild && run.scenario ? featurePayload(run.featureBuild, run.scenario) : undefined;
    return buildEvaluatePayload(job, versionsById.get(job.modelVersionId) as RunRow['modelVersion'], run.dataset, run.settings, baseline, featureRun);
  });
  for (const id of enqueued) (byId.get(id) as RunRow['jobs'][number]).enqueuedAt = at;
}

/** The run's variants as versions of its model: each named once, none the candidate or the baseline. */
async function findVariants(db: Db, body: RunCreate, taken: readonly { id: string }[]) {
  const found = [];
  const seen = new Set(taken.map((v) => v.id));
  for (const [i, name] of (body.variants ?? []).entries()) {
    const row = await db.modelVersion.findFirst({ where: { version: name, model: { name: body.model } }, include: { model: true } });
    if (!row) throw new AppError(404, 'not_found', `variants[${i}]: version ${name} of model ${body.model} does not exist`);
    if (seen.has(row.id)) throw new AppError(422, 'unprocessable', `variants[${i}]: version ${name} is already the run's candidate, baseline or another variant`);
    seen.add(row.id);
    found.push(row);
  }
  return found;
}
