import { z } from 'zod';
import { DeviceTier, Role, Sha256, Slug, VersionName } from './common.ts';

/** "*" means any platform / any tier. */
export const ScopePlatform = z.string().min(1).max(50).default('*');
export const ScopeTier = z.union([DeviceTier, z.literal('*')]).default('*');

export const ApprovalKind = z.enum(['automatic', 'manual', 'override']);
export type ApprovalKind = z.infer<typeof ApprovalKind>;

export const ApprovalCreate = z.strictObject({
  model: Slug,
  version: VersionName,
  platform: ScopePlatform,
  tier: ScopeTier,
  channel: Slug.default('production'),
  reason: z.string().trim().min(3).max(2000),
  /** the gate evaluation that backs this approval; defaults to the version's latest */
  gate: z.uuid().optional(),
});
export type ApprovalCreate = z.infer<typeof ApprovalCreate>;

export const ApprovalRevoke = z.strictObject({ reason: z.string().trim().min(3).max(2000) });
export type ApprovalRevoke = z.infer<typeof ApprovalRevoke>;

export const ApprovalOut = z.object({
  id: z.uuid(),
  model: z.string(),
  version: z.string(),
  platform: z.string(),
  tier: z.string(),
  channel: z.string(),
  kind: ApprovalKind,
  /** active, superseded (a newer approval took the scope) or revoked */
  state: z.enum(['active', 'superseded', 'revoked']),
  reason: z.string().nullable(),
  gate: z.uuid().nullable(),
  approvedBy: z.string(),
  approvedByRole: Role,
  createdAt: z.string(),
  revokedAt: z.string().nullable(),
  revokedBy: z.string().nullable(),
  revokeReason: z.string().nullable(),
});
export type ApprovalOut = z.infer<typeof ApprovalOut>;

export const ApprovedQuery = z.strictObject({
  platform: z.string().min(1).max(50).optional(),
  tier: DeviceTier.optional(),
  channel: Slug.default('production'),
});
export type ApprovedQuery = z.infer<typeof ApprovedQuery>;

/** What an app needs to fetch the approved build of a model. */
export const ApprovedModelOut = z.object({
  model: z.string(),
  version: z.string(),
  sha256: Sha256,
  sizeBytes: z.number().int(),
  gzipSizeBytes: z.number().int(),
  format: z.enum(['onnx', 'tflite']),
  downloadUrl: z.string(),
  scope: z.object({ platform: z.string(), tier: z.string(), channel: z.string() }),
  approval: z.object({ id: z.uuid(), kind: ApprovalKind, approvedBy: z.string(), approvedAt: z.string() }),
  /** the gate evaluation (verdict, per-rule evidence) behind the approval, when there is one */
  evidenceUrl: z.string().nullable(),
});
export type ApprovedModelOut = z.infer<typeof ApprovedModelOut>;

/** policy-save: a revision of a stored gate policy (evidence.policy: name, revision, id, sha256) */
export const AuditAction = z.enum(['approve', 'auto-approve', 'override', 'revoke', 'policy-save']);
export type AuditAction = z.infer<typeof AuditAction>;

export const AuditEntryOut = z.object({
  id: z.uuid(),
  action: AuditAction,
  model: z.string().nullable(),
  version: z.string().nullable(),
  approval: z.uuid().nullable(),
  actor: z.string(),
  actorRole: Role,
  reason: z.string().nullable(),
  evidence: z.record(z.string(), z.unknown()),
  createdAt: z.string(),
});
export type AuditEntryOut = z.infer<typeof AuditEntryOut>;

export const ReleaseManifestPut = z.strictObject({
  models: z
    .array(
      z.strictObject({
        name: Slug,
        /** pin this version; default: the version approved for the scope now */
        version: VersionName.optional(),
        platform: z.string().min(1).max(50).optional(),
        tier: DeviceTier.optional(),
        channel: Slug.default('production'),
      }),
    )
    .min(1)
    .max(200),
});
export type ReleaseManifestPut = z.infer<typeof ReleaseManifestPut>;

export const ReleaseManifestOut = z.object({
  app: z.string(),
  appVersion: z.string(),
  models: z.array(
    z.object({
      name: z.string(),
      version: z.string(),
      sha256: Sha256,
      sizeBytes: z.number().int(),
      format: z.enum(['onnx', 'tflite']),
      downloadUrl: z.string(),
      approval: z.uuid().nullable(),
    }),
  ),
  createdBy: z.string(),
  createdAt: z.string(),
});
export type ReleaseManifestOut = z.infer<typeof ReleaseManifestOut>;
