import {
  METRIC_CATALOG,
  type CoverageRule,
  type GatePolicy,
  type GateVerdict,
  type PopulationRule,
  type RuleResult,
  type ThresholdRule,
} from '@edgeproof/contracts';
import { populationDecision, populationShares } from '@edgeproof/metrics';
import { contendedText, deviceLabel, deviceNamed, describeWhere, isThrottled, measurementOf, result, ruleDevice, ruleUnits, unitLabel, type GateEvidence } from './evidence.ts';
import { closestDevice } from './population.ts';
import { evaluateRelative } from './relative.ts';
import { benchmarkOf, formatValue, resolveMetric } from './resolve.ts';

export interface GateDecision {
  verdict: GateVerdict;
  results: RuleResult[];
  counts: Record<RuleResult['status'], number>;
}

/** Evaluates every rule of a policy on stored evidence. Pure: the same inputs give the same decision. */
export function evaluateGate(policy: GatePolicy, evidence: GateEvidence): GateDecision {
  const results = policy.rules.flatMap((rule, i): RuleResult[] => {
    switch (rule.type) {
      case 'threshold':
        return evaluateThreshold(rule, i, evidence, policy);
      case 'relative':
        return evaluateRelative(rule, i, evidence, policy);
      case 'coverage':
        return [evaluateCoverage(rule, i, evidence)];
      case 'population':
        return [evaluatePopulation(rule, i, evidence)];
    }
  });
  const counts = { pass: 0, fail: 0, inconclusive: 0, skipped: 0 };
  for (const r of results) counts[r.status]++;
  const verdict: GateVerdict = counts.fail > 0 ? 'fail' : counts.inconclusive > 0 ? 'inconclusive' : 'pass';
  return { verdict, results, counts };
}

/**
 * Whether a non-pass decision should be confirmed by one more device run: some inconclusive or
 * failing result came from a device measurement (model-file facts would not change).
 */
export function needsConfirmation(decision: GateDecision): boolean {
  if (decision.verdict === 'pass') return false;
  return decision.results.some((r) => (r.status === 'inconclusive' || r.status === 'fail') && (r.device !== null || r.type === 'coverage' || r.type === 'population'));
}

const cmp = (bound: 'max' | 'min', v: number, t: number) => (bound === 'max' ? v <= t : v >= t);
const sign = (bound: 'max' | 'min') => (bound === 'max' ? '≤' : '≥');

function evaluateThreshold(rule: ThresholdRule, ruleIndex: number, e: GateEvidence, policy: GatePolicy): RuleResult[] {
  const base = { rule: rule.name, ruleIndex, type: rule.type };
  const def = METRIC_CATALOG[rule.metric];
  const f = { metric: rule.metric, unit: def.unit, threshold: rule.value };
  const verdictText = (v: number) => `${formatValue(rule.metric, v)} ${cmp(rule.bound, v, rule.value) ? sign(rule.bound) : rule.bound === 'max' ? '>' : '<'} ${formatValue(rule.metric, rule.value)}`;
  if (def.source === 'model' || def.source === 'model-delta') {
    let observed = resolveMetric(rule.metric, e.candidate);
    if (def.source === 'model-delta') {
      if (!e.baseline) return [result(base, { ...f, status: 'skipped', explanation: `no baseline version: ${rule.metric} needs one` })];
      const b = resolveMetric(rule.metric, e.baseline);
      observed = observed !== null && b !== null ? observed - b : null;
    }
    if (observed === null) return [result(base, { ...f, status: 'inconclusive', explanation: `the model version has no ${def.path}` })];
    const status = cmp(rule.bound, observed, rule.value) ? 'pass' : 'fail';
    return [result(base, { ...f, observed, status, explanation: `${e.candidate.version}: ${def.description} ${verdictText(observed)}` })];
  }
  const benchmark = benchmarkOf(rule.metric);
  const units = ruleUnits(e, rule.where, benchmark);
  if (units.length === 0) {
    return [result(base, { ...f, status: 'inconclusive', explanation: `no ${benchmark} result on ${describeWhere(rule.where)}` })];
  }
  return units.map((u) => {
    const m = measurementOf(e, u.device.id, benchmark, 'candidate', u.runtime);
    const label = unitLabel(u);
    const df = { ...f, device: ruleDevice(u.device), runtime: u.runtime };
    if (!m || m.status !== 'succeeded') {
      return result(base, { ...df, status: 'inconclusive', explanation: `${label}: ${m?.status === 'failed' ? `the job failed: ${m.error ?? 'no reason'}` : 'not measured'}` });
    }
    if (benchmark === 'latency' && isThrottled(m, policy.statistics.throttledStates)) {
      return result(base, { ...df, status: 'inconclusive', explanation: `${label} throttled during the measurement (thermal state ${m.thermalState})` });
    }
    const contended = benchmark === 'latency' ? contendedText(label, m) : null;
    if (contended) return result(base, { ...df, observed: resolveMetric(rule.metric, m.summary), status: 'inconclusive', explanation: contended });
    const observed = resolveMetric(rule.metric, m.summary);
    if (observed === null) return result(base, { ...df, status: 'inconclusive', explanation: `${label}: the ${benchmark} result carries no ${rule.metric}` });
    const status = cmp(rule.bound, observed, rule.value) ? 'pass' : 'fail';
    const how = benchmark === 'latency' ? `, ${m.rawSamples.length} timed runs` : '';
    return result(base, { ...df, observed, status, explanation: `${label}: ${def.description} ${verdictText(observed)}${how}` });
  });
}

function evaluateCoverage(rule: CoverageRule, ruleIndex: number, e: GateEvidence): RuleResult {
  const base = { rule: rule.name, ruleIndex, type: rule.type };
  const covered = e.devices.filter((d) => d.healthy && e.measurements.some((m) => m.deviceId === d.id && m.role === 'candidate' && m.status === 'succeeded'));
  const missing: string[] = [];
  for (const tier of rule.tiers) {
    const n = covered.filter((d) => d.tier === tier).length;
    if (n < rule.minDevicesPerTier) missing.push(`tier ${tier} has ${n} of ${rule.minDevicesPerTier}`);
  }
  for (const name of rule.devices) {
    if (!covered.some((d) => deviceNamed(d, name))) missing.push(`device ${name} has no result`);
  }
  const have = covered.map(deviceLabel).join(', ') || 'none';
  return result(base, {
    observed: covered.length,
    status: missing.length ? 'fail' : 'pass',
    explanation: missing.length ? `not covered: ${missing.join('; ')} (healthy devices with results: ${have})` : `covered by ${have}`,
  });
}

function evaluatePopulation(rule: PopulationRule, ruleIndex: number, e: GateEvidence): RuleResult {
  const base = { rule: rule.name, ruleIndex, type: rule.type };
  const f = { metric: rule.metric, unit: 'share of users', threshold: rule.users };
  const entries = e.populations[rule.population];
  if (!entries) return result(base, { ...f, status: 'inconclusive', explanation: `population ${rule.population} does not exist (upload it with PUT /v1/populations/${rule.population})` });
  const benchmark = benchmarkOf(rule.metric);
  const measured = e.devices.filter((d) => measurementOf(e, d.id, benchmark, 'candidate')?.status === 'succeeded');
  const rows = entries.map((entry) => {
    const { device } = closestDevice(entry, measured);
    const m = device ? measurementOf(e, device.id, benchmark, 'candidate') : undefined;
    // a latency measured under contention counts as unmeasured: its users are "unknown"
    const usable = m && !(benchmark === 'latency' && m.contention);
    return { share: entry.share, value: usable ? resolveMetric(rule.metric, m.summary) : null };
  });
  const shares = populationShares(rows, rule.bound, rule.value);
  const status = populationDecision(shares, rule.users);
  const p = (x: number) => `${(x * 100).toFixed(1)}%`;
  return result(base, {
    ...f,
    observed: shares.passing,
    status,
    explanation: `${p(shares.passing)} of users meet ${rule.metric} ${sign(rule.bound)} ${formatValue(rule.metric, rule.value)}, ${p(shares.failing)} do not, ${p(shares.unknown)} unmapped or unmeasured (need ${p(rule.users)})`,
  });
}
