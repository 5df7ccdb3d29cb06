import type { GatePolicy, PopulationEntry, RuleDevice, RuleResult, RuleWhere } from '@edgeproof/contracts';
import type { LabDevice } from './population.ts';

/** What a gate is decided on: everything is already stored, so re-evaluating needs no device. */
export interface GateEvidence {
  candidate: ModelFacts;
  /** null when the policy names no baseline and none is approved for the scope */
  baseline: ModelFacts | null;
  devices: EvidenceDevice[];
  measurements: Measurement[];
  /** A/A noise floor per device id (null: no A/A pairs yet) */
  noiseFloors: Record<string, number | null>;
  /** populations named by population rules */
  populations: Record<string, PopulationEntry[]>;
}

export interface ModelFacts {
  version: string;
  sizeBytes: number;
  gzipSizeBytes: number;
}

export interface EvidenceDevice extends LabDevice {
  platform: string;
  /** not offline, quarantined or unhealthy */
  healthy: boolean;
}

export interface Measurement {
  jobId: string;
  deviceId: string;
  role: 'candidate' | 'baseline';
  benchmark: string;
  /** the runtime it was measured on, as devices advertise runtimes ("litert/wasm"); a job on several runtimes gives one measurement each */
  runtime: string;
  status: 'queued' | 'running' | 'succeeded' | 'failed' | 'cancelled';
  error: string | null;
  summary: unknown;
  rawSamples: number[];
  thermalState: string | null;
  /** why the measurement counts as taken under contention (environment.contended), else null/absent */
  contention?: string | null;
}

export type Rule = GatePolicy['rules'][number];

export function ruleDevice(d: EvidenceDevice): RuleDevice {
  return { id: d.id, localKey: d.localKey, platform: d.platform, tier: d.tier, model: d.model };
}

export function deviceLabel(d: EvidenceDevice): string {
  return `${d.localKey} (${d.platform}, ${d.tier})`;
}

/** Whether a device answers to a name in a policy: its id, local key or model. */
export function deviceNamed(d: EvidenceDevice, name: string): boolean {
  return d.id === name || d.localKey === name || (d.model !== null && d.model.toLowerCase() === name.toLowerCase());
}

export function inScope(d: EvidenceDevice, where: RuleWhere): boolean {
  if (where.platforms && !where.platforms.includes(d.platform)) return false;
  if (where.tiers && !where.tiers.includes(d.tier)) return false;
  if (where.devices && !where.devices.some((n) => deviceNamed(d, n))) return false;
  return true;
}

/** What a device rule is evaluated on: one device and one runtime it measured. */
export interface RuleUnit {
  device: EvidenceDevice;
  runtime: string;
  /** name the runtime in explanations: the device measured more than one, or the rule names runtimes */
  showRuntime: boolean;
}

/**
 * Every (device, runtime) in a rule's scope with a candidate measurement of the benchmark: a device
 * that measured the model on two runtimes is judged on each. `where.runtimes` keeps only those.
 */
export function ruleUnits(e: GateEvidence, where: RuleWhere, benchmark: string): RuleUnit[] {
  return e.devices.filter((d) => inScope(d, where)).flatMap((device) => {
    const runtimes = [...new Set(e.measurements.filter((m) => m.deviceId === device.id && m.benchmark === benchmark && m.role === 'candidate').map((m) => m.runtime))];
    const kept = where.runtimes ? runtimes.filter((r) => where.runtimes?.includes(r)) : runtimes;
    return kept.map((runtime) => ({ device, runtime, showRuntime: runtimes.length > 1 || where.runtimes !== undefined }));
  });
}

export function unitLabel(u: RuleUnit): string {
  return u.showRuntime ? `${deviceLabel(u.device)} on ${u.runtime}` : deviceLabel(u.device);
}

export function describeWhere(where: RuleWhere): string {
  const parts = [
    where.platforms ? `platform ${where.platforms.join('/')}` : '',
    where.tiers ? `tier ${where.tiers.join('/')}` : '',
    where.devices ? `devices ${where.devices.join(', ')}` : '',
    where.runtimes ? `runtime ${where.runtimes.join('/')}` : '',
  ].filter(Boolean);
  return parts.length ? parts.join(', ') : 'any device';
}

/**
 * The measurement of a kind for a device and role (a run has one per device, benchmark, role and
 * runtime): on `runtime` when given, else the first (the job's own runtime comes before the others).
 */
export function measurementOf(e: GateEvidence, deviceId: string, benchmark: string, role: 'candidate' | 'baseline', runtime?: string): Measurement | undefined {
  const all = e.measurements.filter((m) => m.deviceId === deviceId && m.benchmark === benchmark && m.role === role && (runtime === undefined || m.runtime === runtime));
  return all.find((m) => m.status === 'succeeded') ?? all[0];
}

export function isThrottled(m: Measurement, throttledStates: readonly string[]): boolean {
  return m.thermalState !== null && throttledStates.some((s) => s.toLowerCase() === m.thermalState?.toLowerCase());
}

/** The contention reason a stored result environment carries: null unless `contended: true`. */
export function contentionOf(environment: unknown): string | null {
  if (environment === null || typeof environment !== 'object') return null;
  const env = environment as { contended?: unknown; contentionReasons?: unknown };
  if (env.contended !== true) return null;
  const reasons = Array.isArray(env.contentionReasons) ? env.contentionReasons.filter((r): r is string => typeof r === 'string') : [];
  return reasons.length ? reasons.join('; ') : 'the agent flagged it contended';
}

/** "measured under contention on <device>: <reason>" for the first contended measurement, else null. */
export function contendedText(label: string, ...ms: Measurement[]): string | null {
  const m = ms.find((x) => x.contention);
  if (!m) return null;
  const role = ms.length > 1 ? ` (${m.role})` : '';
  return `measured under contention on ${label}${role}: ${m.contention}`;
}

type Base = Pick<RuleResult, 'rule' | 'ruleIndex' | 'type'>;

export function result(base: Base, fields: Partial<Omit<RuleResult, 'rule' | 'ruleIndex' | 'type'>> & Pick<RuleResult, 'status' | 'explanation'>): RuleResult {
  return {
    ...base,
    metric: null,
    device: null,
    runtime: null,
    observed: null,
    baseline: null,
    threshold: null,
    unit: null,
    ci: null,
    pValue: null,
    ...fields,
  };
}
