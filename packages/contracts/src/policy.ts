import { z } from 'zod';
import { DeviceTier, Slug, VersionName } from './common.ts';
import { METRIC_CATALOG, METRIC_NAMES, type MetricName, type MetricUnit } from './metric-catalog.ts';
import { DeviceSelector } from './runs.ts';
import { BenchmarkSettings } from './settings.ts';

/**
 * A gate policy (policy-as-code, usually `edgeproof.policy.yaml` in the model's repository).
 * Thresholds take plain numbers in the metric's unit or strings with a unit:
 * "50ms", "1.5s"; "5MB", "512KiB" (KB = 1000 B, KiB = 1024 B); "95%"; "0.5pp" (percentage points).
 */

const Quantity = z.union([z.number(), z.string()]);
const UNIT_FACTORS: Record<string, number> = {
  ms: 1, s: 1000, b: 1, kb: 1e3, mb: 1e6, gb: 1e9, kib: 1024, mib: 1024 ** 2, gib: 1024 ** 3, '%': 0.01, pp: 0.01,
};
const UNITS_BY_METRIC: Record<MetricUnit, string[]> = {
  ms: ['ms', 's'],
  bytes: ['b', 'kb', 'mb', 'gb', 'kib', 'mib', 'gib'],
  ratio: ['%', 'pp'],
  number: [],
  celsius: [],
  'percent-per-minute': [],
};
const EXAMPLES: Record<MetricUnit, string> = {
  ms: 'a number of milliseconds or a duration like "50ms" or "1.5s"',
  bytes: 'a number of bytes or a size like "5MB" or "512KiB"',
  ratio: 'a fraction like 0.95 or a percentage like "95%"',
  number: 'a number',
  celsius: 'a number of degrees Celsius',
  'percent-per-minute': 'a number of percent per minute',
};

/** Converts a threshold to the metric's unit; undefined when it does not fit. */
export function parseQuantity(value: number | string, unit: MetricUnit | 'fraction'): number | undefined {
  if (typeof value === 'number') return Number.isFinite(value) ? value : undefined;
  const m = /^\s*(-?[0-9]+(?:\.[0-9]+)?)\s*([a-zA-Z%]*)\s*$/.exec(value);
  if (!m) return undefined;
  const n = Number(m[1]);
  const u = (m[2] ?? '').toLowerCase();
  if (u === '') return n;
  const allowed = unit === 'fraction' ? ['%'] : UNITS_BY_METRIC[unit];
  const factor = UNIT_FACTORS[u];
  if (!allowed.includes(u) || factor === undefined) return undefined;
  return factor < 1 ? n / (1 / factor) : n * factor;
}

const Metric = z.enum(METRIC_NAMES as [MetricName, ...MetricName[]], {
  error: (issue) => `unknown metric ${JSON.stringify(issue.input)}; expected one of ${METRIC_NAMES.join(', ')}`,
});

const RuntimeNames = z.array(z.string().min(1).max(100)).min(1);

export const RuleWhere = z
  .strictObject({
    platforms: z.array(z.string().min(1)).min(1).optional(),
    tiers: z.array(DeviceTier).min(1).optional(),
    /** device ids, local keys or device models */
    devices: z.array(z.string().min(1)).min(1).optional(),
    /** runtimes as devices advertise them ("litert/wasm", "onnxruntime-web/wasm", "tflite"): the rule applies to results measured on one of them */
    runtimes: RuntimeNames.optional(),
    /** one runtime, or several: the same as `runtimes` */
    runtime: z.union([z.string().min(1).max(100), RuntimeNames]).optional(),
  })
  .refine((w) => !(w.runtime !== undefined && w.runtimes !== undefined), { message: 'give runtime or runtimes, not both', path: ['runtime'] })
  .transform(({ runtime, ...w }) => (runtime === undefined ? w : { ...w, runtimes: typeof runtime === 'string' ? [runtime] : runtime }));
export type RuleWhere = z.infer<typeof RuleWhere>;

type Ctx = z.core.$RefinementCtx<unknown>;
function quantity(ctx: Ctx, field: string, raw: number | string, unit: MetricUnit | 'fraction', what: string): number {
  const value = parseQuantity(raw, unit);
  if (value === undefined) {
    ctx.addIssue({ code: 'custom', path: [field], message: `expected ${unit === 'fraction' ? 'a fraction like 0.05 or a percentage like "5%"' : EXAMPLES[unit]} for ${what}, got ${JSON.stringify(raw)}` });
    return Number.NaN;
  }
  return value;
}

const ThresholdRuleIn = z.strictObject({
  type: z.literal('threshold'),
  name: z.string().min(1).max(200).optional(),
  metric: Metric,
  max: Quantity.optional(),
  min: Quantity.optional(),
  where: RuleWhere.optional(),
});
const ThresholdRule = ThresholdRuleIn.transform((r, ctx) => {
  const unit = METRIC_CATALOG[r.metric].unit;
  if ((r.max === undefined) === (r.min === undefined)) {
    ctx.addIssue({ code: 'custom', path: ['max'], message: 'give exactly one of max or min' });
    return z.NEVER;
  }
  const bound = r.max !== undefined ? ('max' as const) : ('min' as const);
  const value = quantity(ctx, bound, (r.max ?? r.min) as number | string, unit, r.metric);
  return { type: r.type, name: r.name ?? `${r.metric} ${bound === 'max' ? '≤' : '≥'} ${r.max ?? r.min}`, metric: r.metric, bound, value, where: r.where ?? {} };
});

const RelativeRuleIn = z.strictObject({
  type: z.literal('relative'),
  name: z.string().min(1).max(200).optional(),
  metric: Metric,
  /** lower-is-better metrics: largest allowed increase over the baseline, as a fraction ("5%" = 0.05) */
  maxIncrease: Quantity.optional(),
  /** higher-is-better metrics: largest allowed drop, in the metric's unit ("0.5pp" = 0.005) */
  maxDecrease: Quantity.optional(),
  /** confidence level of the interval latency comparisons use */
  confidence: z.number().gt(0.5).lt(1).default(0.95),
  /** devices whose A/A noise floor exceeds statistics.maxNoiseFloor are left out of this rule */
  excludeNoisyDevices: z.boolean().default(false),
  where: RuleWhere.optional(),
});
const RelativeRule = RelativeRuleIn.transform((r, ctx) => {
  const def = METRIC_CATALOG[r.metric];
  if (def.source !== 'result') {
    ctx.addIssue({ code: 'custom', path: ['metric'], message: `relative rules compare device results; ${r.metric} is a model property (use model.gzipDelta in a threshold rule)` });
    return z.NEVER;
  }
  const field = def.better === 'lower' ? 'maxIncrease' : 'maxDecrease';
  const other = field === 'maxIncrease' ? 'maxDecrease' : 'maxIncrease';
  if (r[other] !== undefined) {
    ctx.addIssue({ code: 'custom', path: [other], message: `${r.metric} is ${def.better === 'lower' ? 'lower' : 'higher'}-is-better: use ${field}` });
    return z.NEVER;
  }
  const raw = r[field];
  if (raw === undefined) {
    ctx.addIssue({ code: 'custom', path: [field], message: `required for ${r.metric}` });
    return z.NEVER;
  }
  const allowed = quantity(ctx, field, raw, field === 'maxIncrease' ? 'fraction' : def.unit, r.metric);
  if (allowed < 0) ctx.addIssue({ code: 'custom', path: [field], message: 'must not be negative' });
  const name = r.name ?? `${r.metric} ${field === 'maxIncrease' ? `≤ +${raw}` : `≥ −${raw}`} vs baseline`;
  return { type: r.type, name, metric: r.metric, direction: field === 'maxIncrease' ? ('increase' as const) : ('decrease' as const), allowed, confidence: r.confidence, excludeNoisyDevices: r.excludeNoisyDevices, where: r.where ?? {} };
});

const CoverageRuleIn = z.strictObject({
  type: z.literal('coverage'),
  name: z.string().min(1).max(200).optional(),
  /** at least `minDevicesPerTier` healthy devices with results in each of these tiers */
  tiers: z.array(DeviceTier).min(1).optional(),
  /** these devices (ids, local keys or device models) must have results */
  devices: z.array(z.string().min(1)).min(1).optional(),
  minDevicesPerTier: z.number().int().min(1).default(1),
});
const CoverageRule = CoverageRuleIn.transform((r, ctx) => {
  if (!r.tiers && !r.devices) {
    ctx.addIssue({ code: 'custom', path: ['tiers'], message: 'give tiers, devices or both' });
    return z.NEVER;
  }
  const name = r.name ?? `coverage: ${[...(r.tiers ?? []).map((t) => `tier ${t}`), ...(r.devices ?? [])].join(', ')}`;
  return { type: r.type, name, tiers: r.tiers ?? [], devices: r.devices ?? [], minDevicesPerTier: r.minDevicesPerTier };
});

const PopulationRuleIn = z.strictObject({
  type: z.literal('population'),
  name: z.string().min(1).max(200).optional(),
  /** a device population uploaded with POST /v1/populations */
  population: Slug,
  metric: Metric,
  max: Quantity.optional(),
  min: Quantity.optional(),
  /** share of users whose (mapped) device must meet the bound, e.g. "95%" */
  users: Quantity,
});
const PopulationRule = PopulationRuleIn.transform((r, ctx) => {
  const def = METRIC_CATALOG[r.metric];
  if (def.source !== 'result') {
    ctx.addIssue({ code: 'custom', path: ['metric'], message: `population rules weight device results; ${r.metric} is a model property` });
    return z.NEVER;
  }
  if ((r.max === undefined) === (r.min === undefined)) {
    ctx.addIssue({ code: 'custom', path: ['max'], message: 'give exactly one of max or min' });
    return z.NEVER;
  }
  const bound = r.max !== undefined ? ('max' as const) : ('min' as const);
  const value = quantity(ctx, bound, (r.max ?? r.min) as number | string, def.unit, r.metric);
  const users = quantity(ctx, 'users', r.users, 'fraction', 'users');
  if (!(users > 0 && users <= 1)) ctx.addIssue({ code: 'custom', path: ['users'], message: 'must be a share in (0, 1] or a percentage in (0%, 100%]' });
  const name = r.name ?? `for ${r.users} of ${r.population} users ${r.metric} ${bound === 'max' ? '≤' : '≥'} ${r.max ?? r.min}`;
  return { type: r.type, name, population: r.population, metric: r.metric, bound, value, users };
});

export const PolicyRule = z.discriminatedUnion('type', [ThresholdRule, RelativeRule, CoverageRule, PopulationRule]);
export type PolicyRule = z.infer<typeof PolicyRule>;
export type ThresholdRule = Extract<PolicyRule, { type: 'threshold' }>;
export type RelativeRule = Extract<PolicyRule, { type: 'relative' }>;
export type CoverageRule = Extract<PolicyRule, { type: 'coverage' }>;
export type PopulationRule = Extract<PolicyRule, { type: 'population' }>;

export const DEFAULT_THROTTLED_STATES = ['throttling', 'throttled', 'serious', 'critical', 'hot', 'severe', 'emergency', 'shutdown'];

export const GatePolicy = z.strictObject({
  version: z.literal(1),
  name: Slug.optional(),
  /** the approval scope this gate decides for; its channel defaults to "production" */
  scope: z
    .strictObject({
      platform: z.string().min(1).max(50).optional(),
      tiers: z.array(DeviceTier).min(1).optional(),
      channel: Slug.default('production'),
    })
    .default({ channel: 'production' }),
  /** "approved": the version currently approved for the scope; or a named version */
  baseline: z.union([z.literal('approved'), z.strictObject({ version: VersionName })]).default('approved'),
  devices: DeviceSelector.default({ pick: 'one-per-tier' }),
  dataset: z.strictObject({ name: Slug, version: VersionName }).optional(),
  settings: BenchmarkSettings.default(BenchmarkSettings.parse({})),
  statistics: z
    .strictObject({
      /** fewer latency samples than this per version and device is inconclusive */
      minSamples: z.number().int().min(2).default(30),
      bootstrapIterations: z.number().int().min(100).max(100_000).default(2000),
      /** environment.thermalState values that make a latency measurement inconclusive */
      throttledStates: z.array(z.string()).default(DEFAULT_THROTTLED_STATES),
      /** a device whose A/A noise floor (relative) exceeds this is "noisy" */
      maxNoiseFloor: z.number().positive().default(0.05),
    })
    .default({ minSamples: 30, bootstrapIterations: 2000, throttledStates: DEFAULT_THROTTLED_STATES, maxNoiseFloor: 0.05 }),
  /** measure candidate and baseline latency alternately in one device session when a relative latency rule needs both */
  interleave: z.boolean().default(true),
  /** re-run once automatically before an inconclusive or device-measured failing verdict is final */
  confirm: z.boolean().default(true),
  /** approve the scope automatically when the verdict passes */
  approve: z.boolean().default(true),
  rules: z.array(PolicyRule).min(1),
});
export type GatePolicy = z.infer<typeof GatePolicy>;
export type GatePolicyInput = z.input<typeof GatePolicy>;
