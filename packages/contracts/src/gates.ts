import { z } from 'zod';
import { DeviceTier, Slug, VersionName } from './common.ts';
import { CiContext } from './runs.ts';

export const RuleStatus = z.enum(['pass', 'fail', 'inconclusive', 'skipped']);
export type RuleStatus = z.infer<typeof RuleStatus>;

export const GateVerdict = z.enum(['pass', 'fail', 'inconclusive']);
export type GateVerdict = z.infer<typeof GateVerdict>;

/** running: devices measuring; confirming: the automatic re-run before a non-pass verdict is final */
export const GateStatus = z.enum(['running', 'confirming', 'done', 'error', 'cancelled']);
export type GateStatus = z.infer<typeof GateStatus>;

export const RuleDevice = z.object({
  id: z.string(),
  localKey: z.string(),
  platform: z.string(),
  tier: DeviceTier,
  model: z.string().nullable(),
});
export type RuleDevice = z.infer<typeof RuleDevice>;

/** One rule on one device (or on the model, for model properties and population rules). */
export const RuleResult = z.object({
  rule: z.string(),
  ruleIndex: z.number().int(),
  type: z.enum(['threshold', 'relative', 'coverage', 'population']),
  metric: z.string().nullable(),
  device: RuleDevice.nullable(),
  /** the runtime the result was measured on ("litert/wasm"), when the rule is about a device measurement */
  runtime: z.string().nullable().default(null),
  observed: z.number().nullable(),
  baseline: z.number().nullable(),
  threshold: z.number().nullable(),
  unit: z.string().nullable(),
  ci: z.object({ lower: z.number(), upper: z.number(), confidence: z.number() }).nullable(),
  pValue: z.number().nullable(),
  status: RuleStatus,
  explanation: z.string(),
});
export type RuleResult = z.infer<typeof RuleResult>;

export const PolicyRef = z.union([
  z.strictObject({ source: z.string().min(1).max(200_000), file: z.string().max(500).optional() }),
  z.strictObject({ name: Slug }),
]);
export type PolicyRef = z.infer<typeof PolicyRef>;

export const GateCreate = z.strictObject({
  model: Slug,
  version: VersionName,
  policy: PolicyRef,
  /** overrides the policy's baseline */
  baseline: VersionName.optional(),
  ci: CiContext.optional(),
});
export type GateCreate = z.infer<typeof GateCreate>;

export const GateReevaluate = z.strictObject({ policy: PolicyRef, baseline: VersionName.optional() });
export type GateReevaluate = z.infer<typeof GateReevaluate>;

/**
 * Where a gate's policy came from. Only a revision stored for the model (POST
 * /v1/models/:name/policies, saved by ml_engineer or admin and audited) is reviewed; a policy sent
 * inline with the request is whatever the caller wrote.
 */
export const GatePolicyOrigin = z.discriminatedUnion('kind', [
  z.object({
    kind: z.literal('stored'),
    /** the stored policy's name (the name in its YAML, shown as policyName, may differ) */
    name: z.string(),
    revision: z.number().int(),
    id: z.uuid(),
    savedBy: z.string(),
    savedAt: z.string(),
  }),
  z.object({ kind: z.literal('inline'), file: z.string().nullable() }),
]);
export type GatePolicyOrigin = z.infer<typeof GatePolicyOrigin>;

/**
 * Why a pass of this gate does or does not approve its scope automatically:
 * stored-policy (it does), inline-policy, reevaluation, policy-disables-approval (approve: false),
 * baseline-override (the request named another baseline than the stored policy would),
 * origin-unrecorded (a gate recorded before policy origins were).
 */
export const GateApprovalReason = z.enum(['stored-policy', 'inline-policy', 'reevaluation', 'policy-disables-approval', 'baseline-override', 'origin-unrecorded']);
export type GateApprovalReason = z.infer<typeof GateApprovalReason>;

export const GateApproval = z.object({
  /** true: a pass approves the scope automatically (the approvals it made are in `approvals`) */
  eligible: z.boolean(),
  reason: GateApprovalReason,
  message: z.string(),
});
export type GateApproval = z.infer<typeof GateApproval>;

export const GateOut = z.object({
  id: z.uuid(),
  model: z.string(),
  version: z.string(),
  baseline: z.string().nullable(),
  policyName: z.string(),
  /** null for gates recorded before origins were (they never approve) */
  policyOrigin: GatePolicyOrigin.nullable(),
  /** whether a pass approves automatically, and why (not) */
  approval: GateApproval,
  scope: z.object({ platform: z.string(), tiers: z.array(z.string()), channel: z.string() }),
  status: GateStatus,
  verdict: GateVerdict.nullable(),
  runId: z.uuid(),
  /** the automatic confirmation run, when one was needed */
  confirmRunId: z.uuid().nullable(),
  reevaluationOf: z.uuid().nullable(),
  counts: z.object({ pass: z.number().int(), fail: z.number().int(), inconclusive: z.number().int(), skipped: z.number().int() }),
  results: z.array(RuleResult),
  /** results of the first run when a confirmation run decided the verdict */
  firstAttempt: z.array(RuleResult).nullable(),
  approvals: z.array(z.uuid()),
  ci: CiContext.nullable(),
  error: z.string().nullable(),
  createdBy: z.string(),
  createdAt: z.string(),
  finishedAt: z.string().nullable(),
  evidenceUrl: z.string(),
});
export type GateOut = z.infer<typeof GateOut>;

export const StoredPolicyCreate = z.strictObject({ name: Slug, source: z.string().min(1).max(200_000) });
export type StoredPolicyCreate = z.infer<typeof StoredPolicyCreate>;

export const StoredPolicyOut = z.object({
  id: z.uuid(),
  model: z.string(),
  name: z.string(),
  revision: z.number().int(),
  source: z.string(),
  createdBy: z.string(),
  createdAt: z.string(),
});
export type StoredPolicyOut = z.infer<typeof StoredPolicyOut>;

export const NoiseFloorOut = z.object({
  device: RuleDevice,
  /** A/A pairs (the same version measured as candidate and baseline) found */
  pairs: z.number().int(),
  /** median over A/A pairs of |median_A / median_A' − 1|; null without pairs */
  noiseFloor: z.number().nullable(),
  /** largest |ratio − 1| seen */
  worst: z.number().nullable(),
  /** median within-run robust spread (MAD / median) of the latency samples */
  withinRunSpread: z.number().nullable(),
  noisy: z.boolean(),
});
export type NoiseFloorOut = z.infer<typeof NoiseFloorOut>;
