import { BenchmarkKind, type GateCreate, type GatePolicy, type PolicyRef, type RunCreate } from '@edgeproof/contracts';
import { gateApproval, gateInclude, gateProvenance, withProvenance, type Db, type GateRow, type RunRow } from '@edgeproof/db';
import { benchmarkOf, evaluateGate, needsConfirmation, parsePolicy } from '@edgeproof/gating';
import type { FastifyBaseLogger } from 'fastify';
import { AppError, notFound } from '../../errors.ts';
import type { Principal } from '../../plugins/auth.ts';
import type { DeviceQueues } from '../../plugins/queues.ts';
import { cancelRun } from '../cancel.ts';
import { INTERLEAVED_ROLE } from '../job-payload.ts';
import { createRun, loadRun } from '../runs.ts';
import { approve, findApproved } from './approvals.ts';
import { loadEvidence } from './evidence.ts';
import { loadPolicy } from './policy-source.ts';

export interface GateDeps {
  db: Db;
  queues: DeviceQueues;
  log: FastifyBaseLogger;
}

const FINISHED = new Set(['succeeded', 'failed', 'partial']);

export async function loadGate(db: Db, id: string): Promise<GateRow | null> {
  return db.gateEvaluation.findUnique({ where: { id }, include: gateInclude });
}

async function findVersion(db: Db, model: string, version: string) {
  const row = await db.modelVersion.findFirst({ where: { version, model: { name: model } }, include: { model: true } });
  if (!row) throw notFound(`version ${version} of model ${model}`);
  return row;
}

/** Benchmarks the policy's rules read (latency when it only has model or coverage rules). */
export function benchmarksFor(policy: GatePolicy): RunCreate['benchmarks'] {
  const kinds = new Set<string>();
  for (const r of policy.rules) if (r.type !== 'coverage') kinds.add(benchmarkOf(r.metric));
  const runnable = BenchmarkKind.options.filter((k) => kinds.has(k));
  return runnable.length ? runnable : ['latency'];
}

const needsBaseline = (p: GatePolicy) => p.rules.some((r) => r.type === 'relative' || (r.type === 'threshold' && r.metric === 'model.gzipDelta'));

/** The policy's own baseline version: the one it names, else the one approved for its scope. */
async function policyBaseline(db: Db, modelId: string, policy: GatePolicy): Promise<string | undefined> {
  if (policy.baseline !== 'approved') return policy.baseline.version;
  const approval = await findApproved(db, modelId, { platform: policy.scope.platform, tier: policy.scope.tiers?.[0], channel: policy.scope.channel });
  return approval?.modelVersion.version;
}

/** Parses the policy, starts (or, with the same Idempotency-Key, returns) the run it needs, and records the gate. */
export async function startGate(deps: GateDeps, body: GateCreate, principal: Principal, idempotencyKey: string | undefined): Promise<{ gate: GateRow; created: boolean }> {
  const candidate = await findVersion(deps.db, body.model, body.version);
  if (idempotencyKey) {
    const existing = await deps.db.gateEvaluation.findUnique({ where: { idempotencyKey }, include: gateInclude });
    if (existing) {
      if (existing.modelVersionId !== candidate.id) throw new AppError(409, 'conflict', `Idempotency-Key ${idempotencyKey} was already used for another gate (${existing.id})`);
      return { gate: existing, created: false };
    }
  }
  const { policy, source, name, origin } = await loadPolicy(deps.db, candidate.modelId, body.policy);
  const benchmarks = benchmarksFor(policy);
  if (benchmarks.includes('accuracy') && !policy.dataset) {
    throw new AppError(400, 'bad_request', 'body.policy: dataset: required when a rule reads accuracy.* (give dataset: {name, version})');
  }
  // the request may name another baseline; a reviewed policy then no longer approves (gateApproval)
  const own = needsBaseline(policy) ? await policyBaseline(deps.db, candidate.modelId, policy) : undefined;
  const baseline = needsBaseline(policy) ? (body.baseline ?? own) : undefined;
  const baselineOverride = body.baseline && baseline && body.baseline !== own ? body.baseline : null;
  const { run } = await createRun(
    deps.db,
    deps.queues,
    deps.log,
    {
      model: body.model,
      version: body.version,
      ...(baseline ? { baseline } : {}),
      ...(policy.dataset ? { dataset: policy.dataset } : {}),
      devices: policy.devices,
      benchmarks,
      settings: policy.settings,
      ...(body.ci ? { ci: body.ci } : {}),
      ...(baseline && policy.interleave && policy.rules.some((r) => r.type === 'relative' && r.metric.startsWith('latency.')) ? { interleave: true } : {}),
    },
    principal.name,
    idempotencyKey ? `gate:${idempotencyKey}` : undefined,
  );
  const gate = await deps.db.gateEvaluation.create({
    data: {
      modelVersionId: candidate.id,
      baselineVersionId: run.baselineVersionId,
      runId: run.id,
      policyName: name,
      policySource: source,
      policy: withProvenance(policy, { origin, baselineOverride }),
      ...(body.ci ? { ciContext: body.ci as object } : {}),
      idempotencyKey: idempotencyKey ?? null,
      createdBy: principal.name,
      createdByRole: principal.role,
    },
    include: gateInclude,
  });
  return { gate, created: true };
}

/**
 * Moves a gate forward once its run has finished: evaluate; when the decision is not a pass and
 * rests on device measurements, start one confirmation run on the same devices (status
 * "confirming") and decide on that; otherwise record the verdict and, on a pass, approve the scope.
 * Safe to call concurrently: each transition is a conditional update.
 */
export async function advanceGate(deps: GateDeps, id: string): Promise<GateRow | null> {
  const gate = await loadGate(deps.db, id);
  if (!gate || (gate.status !== 'running' && gate.status !== 'confirming')) return gate;
  const runId = gate.status === 'running' ? gate.runId : gate.confirmRunId;
  const run = runId ? await loadRun(deps.db, runId) : null;
  if (!run || !FINISHED.has(run.status)) return gate;
  const policy = parsePolicy(gate.policySource, gate.policyName);
  const decision = evaluateGate(policy, await loadEvidence(deps.db, run, policy));

  if (gate.status === 'running' && policy.confirm && needsConfirmation(decision)) {
    try {
      const { run: confirm } = await createRun(deps.db, deps.queues, deps.log, confirmationRequest(run), gate.createdBy, `gate:${gate.id}:confirm`);
      const linked = await deps.db.gateEvaluation.updateMany({
        where: { id, status: 'running' },
        data: { status: 'confirming', confirmRunId: confirm.id, firstAttempt: decision.results as object[], results: decision.results as object[] },
      });
      // the gate was cancelled meanwhile: its confirmation run must not run either
      if (!linked.count && (await loadGate(deps.db, id))?.status === 'cancelled') await cancelRun(deps, confirm.id, 'gate cancelled').catch(() => undefined);
      return loadGate(deps.db, id);
    } catch (err) {
      deps.log.warn({ err, gate: id }, 'could not start the confirmation run; deciding on the first run');
    }
  }
  const done = await deps.db.gateEvaluation.updateMany({
    where: { id, status: gate.status },
    data: { status: 'done', verdict: decision.verdict, results: decision.results as object[], finishedAt: new Date() },
  });
  // only a stored (reviewed) policy approves; an inline one decides and reports, whoever sent it
  if (done.count === 1 && decision.verdict === 'pass' && gateApproval(gate, gate.modelVersion.model.name).eligible) {
    await autoApprove(deps.db, gate, policy, decision.counts);
  }
  return loadGate(deps.db, id);
}

function confirmationRequest(run: RunRow): RunCreate {
  const deviceIds = [...new Set(run.jobs.map((j) => j.deviceId))];
  return {
    model: run.modelVersion.model.name,
    version: run.modelVersion.version,
    ...(run.baselineVersion ? { baseline: run.baselineVersion.version } : {}),
    ...(run.dataset ? { dataset: { name: run.dataset.name, version: run.dataset.version } } : {}),
    devices: { ids: deviceIds, pick: 'all' },
    benchmarks: run.benchmarks,
    settings: run.settings as RunCreate['settings'],
    ...(run.ciContext ? { ci: run.ciContext as NonNullable<RunCreate['ci']> } : {}),
    ...(run.jobs.some((j) => j.role === INTERLEAVED_ROLE) ? { interleave: true } : {}),
  };
}

async function autoApprove(db: Db, gate: GateRow, policy: GatePolicy, counts: Record<string, number>) {
  const origin = gateProvenance(gate)?.origin;
  if (origin?.kind !== 'stored') return;
  for (const tier of policy.scope.tiers ?? ['*']) {
    await approve(
      db,
      {
        modelId: gate.modelVersion.modelId,
        modelName: gate.modelVersion.model.name,
        modelVersionId: gate.modelVersionId,
        version: gate.modelVersion.version,
        platform: policy.scope.platform ?? '*',
        tier,
        channel: policy.scope.channel,
        kind: 'automatic',
        reason: `gate ${gate.id} passed (stored policy ${origin.name}, revision ${origin.revision})`,
        gateEvaluationId: gate.id,
        evidence: {
          verdict: 'pass',
          counts,
          runId: gate.runId,
          confirmRunId: gate.confirmRunId,
          policy: { name: origin.name, revision: origin.revision, id: origin.id, savedBy: origin.savedBy, savedAt: origin.savedAt },
        },
      },
      { name: gate.createdBy, role: gate.createdByRole },
    );
  }
}

/** A new evaluation of an existing gate's measurements under another policy; no device runs again, and it never approves. */
export async function reevaluateGate(deps: GateDeps, source: GateRow, ref: PolicyRef, principal: Principal): Promise<GateRow> {
  if (source.status !== 'done' && source.status !== 'error') {
    throw new AppError(409, 'conflict', `gate ${source.id} is still ${source.status}; re-evaluate it once it is done`);
  }
  const { policy, source: text, name, origin } = await loadPolicy(deps.db, source.modelVersion.modelId, ref);
  const run = await loadRun(deps.db, source.confirmRunId ?? source.runId);
  if (!run) throw notFound(`run ${source.runId}`);
  const decision = evaluateGate(policy, await loadEvidence(deps.db, run, policy));
  const gate = await deps.db.gateEvaluation.create({
    data: {
      modelVersionId: source.modelVersionId,
      baselineVersionId: source.baselineVersionId,
      runId: source.runId,
      confirmRunId: source.confirmRunId,
      reevaluationOfId: source.id,
      policyName: name,
      policySource: text,
      policy: withProvenance(policy, { origin, baselineOverride: null }),
      status: 'done',
      verdict: decision.verdict,
      results: decision.results as object[],
      ...(source.ciContext ? { ciContext: source.ciContext as object } : {}),
      createdBy: principal.name,
      createdByRole: principal.role,
      finishedAt: new Date(),
    },
    include: gateInclude,
  });
  return gate;
}

/** Advances every unfinished gate; the API runs this on a timer so gates finish without a reader. */
export async function advanceOpenGates(deps: GateDeps): Promise<void> {
  const open = await deps.db.gateEvaluation.findMany({ where: { status: { in: ['running', 'confirming'] } }, select: { id: true }, take: 200 });
  for (const g of open) await advanceGate(deps, g.id);
}
