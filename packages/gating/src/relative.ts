import { METRIC_CATALOG, type GatePolicy, type RelativeRule, type RuleResult } from '@edgeproof/contracts';
import { compareLatency, mannWhitneyU, seedFromText } from '@edgeproof/metrics';
import { contendedText, describeWhere, isThrottled, measurementOf, result, ruleDevice, ruleUnits, unitLabel, type GateEvidence } from './evidence.ts';
import { benchmarkOf, formatValue, resolveMetric } from './resolve.ts';

const pct = (r: number) => `${r >= 1 ? '+' : '−'}${(Math.abs(r - 1) * 100).toFixed(1)}%`;

/** A relative rule on every device in its scope that measured both the candidate and the baseline. */
export function evaluateRelative(rule: RelativeRule, ruleIndex: number, e: GateEvidence, policy: GatePolicy): RuleResult[] {
  const base = { rule: rule.name, ruleIndex, type: rule.type };
  const def = METRIC_CATALOG[rule.metric];
  const benchmark = benchmarkOf(rule.metric);
  const unit = rule.direction === 'increase' ? 'ratio' : def.unit;
  const threshold = rule.direction === 'increase' ? 1 + rule.allowed : rule.allowed;
  if (!e.baseline) {
    return [result(base, { metric: rule.metric, status: 'skipped', explanation: 'no baseline version (none named and none approved for this scope): nothing to compare against' })];
  }
  const units = ruleUnits(e, rule.where, benchmark);
  if (units.length === 0) {
    return [result(base, { metric: rule.metric, status: 'inconclusive', explanation: `no ${benchmark} result on ${describeWhere(rule.where)}` })];
  }
  const stats = policy.statistics;
  return units.map((u) => {
    const d = u.device;
    const label = unitLabel(u);
    const f = { metric: rule.metric, device: ruleDevice(d), runtime: u.runtime, unit, threshold };
    // candidate and baseline on the same runtime: a runtime's speed is not the model's
    const cand = measurementOf(e, d.id, benchmark, 'candidate', u.runtime);
    const basem = measurementOf(e, d.id, benchmark, 'baseline', u.runtime);
    const noise = e.noiseFloors[d.id] ?? null;
    if (rule.excludeNoisyDevices && noise !== null && noise > stats.maxNoiseFloor) {
      return result(base, { ...f, status: 'skipped', explanation: `${label} is noisy (A/A noise floor ${(noise * 100).toFixed(1)}% > ${(stats.maxNoiseFloor * 100).toFixed(1)}%): left out` });
    }
    if (!cand || !basem || cand.status !== 'succeeded' || basem.status !== 'succeeded') {
      const missing = [cand, basem].find((m) => m?.status === 'failed');
      const why = missing ? `the ${missing.role} job failed: ${missing.error ?? 'no reason'}` : 'candidate or baseline not measured';
      return result(base, { ...f, status: 'inconclusive', explanation: `${label}: ${why}` });
    }
    if (benchmark === 'latency' && (isThrottled(cand, stats.throttledStates) || isThrottled(basem, stats.throttledStates))) {
      return result(base, { ...f, status: 'inconclusive', explanation: `${label} throttled during the measurement (thermal state ${cand.thermalState}/${basem.thermalState})` });
    }
    const contended = benchmark === 'latency' ? contendedText(label, cand, basem) : null;
    if (contended) return result(base, { ...f, status: 'inconclusive', explanation: contended });
    if (rule.metric === 'latency.p50') {
      const cmp = compareLatency(cand.rawSamples, basem.rawSamples, {
        allowedRatio: threshold,
        confidence: rule.confidence,
        minSamples: stats.minSamples,
        iterations: stats.bootstrapIterations,
        seed: seedFromText(`${cand.jobId}:${basem.jobId}`),
      });
      const fields = { ...f, observed: cmp.ratio, baseline: 1, ci: cmp.ci, pValue: cmp.pValue, status: cmp.decision };
      if (cmp.reason === 'too-few-samples') {
        return result(base, { ...fields, explanation: `${label}: ${cand.rawSamples.length}/${basem.rawSamples.length} samples, fewer than ${stats.minSamples}` });
      }
      const ci = `${(rule.confidence * 100).toFixed(0)}% CI ${pct(cmp.ci!.lower)}…${pct(cmp.ci!.upper)}`;
      const verdict =
        cmp.decision === 'fail' ? `slower than allowed ${pct(threshold)}: the whole interval is above it` : cmp.decision === 'pass' ? `within ${pct(threshold)}` : `the interval spans ${pct(threshold)}: cannot tell`;
      return result(base, { ...fields, explanation: `${label}: median ${pct(cmp.ratio!)} vs ${e.baseline?.version} (${ci}, Mann-Whitney p${cmp.pValue! < 1e-4 ? '<1e-4' : `=${cmp.pValue!.toPrecision(2)}`}): ${verdict}` });
    }
    const cv = resolveMetric(rule.metric, cand.summary);
    const bv = resolveMetric(rule.metric, basem.summary);
    if (cv === null || bv === null) {
      return result(base, { ...f, status: 'inconclusive', explanation: `${label}: the ${benchmark} result carries no ${rule.metric}` });
    }
    if (rule.direction === 'decrease') {
      const drop = bv - cv;
      const status = drop > rule.allowed + 1e-12 ? 'fail' : 'pass';
      return result(base, {
        ...f,
        observed: cv,
        baseline: bv,
        status,
        explanation: `${label}: ${formatValue(rule.metric, cv)} vs ${formatValue(rule.metric, bv)} (${drop > 0 ? 'down' : 'up'} ${formatValue(rule.metric, Math.abs(drop))}; allowed drop ${formatValue(rule.metric, rule.allowed)})`,
      });
    }
    if (bv <= 0) return result(base, { ...f, status: 'inconclusive', explanation: `${label}: baseline ${rule.metric} is ${bv}, no ratio` });
    const ratio = cv / bv;
    let status: RuleResult['status'] = ratio <= threshold ? 'pass' : 'fail';
    let pValue: number | null = null;
    if (benchmark === 'latency' && status === 'fail' && cand.rawSamples.length > 0 && basem.rawSamples.length > 0) {
      // a tail percentile has no interval here: a rise only counts when the samples differ significantly
      pValue = mannWhitneyU(cand.rawSamples, basem.rawSamples).pAGreater;
      if (pValue >= 1 - rule.confidence) status = 'inconclusive';
    }
    return result(base, {
      ...f,
      observed: ratio,
      baseline: 1,
      pValue,
      status,
      explanation: `${label}: ${formatValue(rule.metric, cv)} vs ${formatValue(rule.metric, bv)} (${pct(ratio)}, allowed ${pct(threshold)})${status === 'inconclusive' ? ': not significant' : ''}`,
    });
  });
}
