import { z } from 'zod';
import { Sha256, Slug, TaskKind, VersionName } from './common.ts';
import { ModelSignature } from './signature.ts';

export const ModelCreate = z.strictObject({
  name: Slug,
  taskKind: TaskKind,
  owner: z.string().min(1).max(200),
  description: z.string().max(2000).optional(),
});
export type ModelCreate = z.infer<typeof ModelCreate>;

export const ModelOut = z.object({
  id: z.uuid(),
  name: z.string(),
  taskKind: TaskKind,
  owner: z.string(),
  description: z.string().nullable(),
  createdBy: z.string(),
  createdAt: z.string(),
  latestVersion: z.string().nullable(),
});
export type ModelOut = z.infer<typeof ModelOut>;

/** Text fields sent beside the file in the multipart upload. */
export const VersionUploadFields = z.strictObject({
  version: VersionName,
  gitCommit: z
    .string()
    .regex(/^[0-9a-f]{7,40}$/, 'a git commit hash (7-40 hex digits)')
    .optional(),
});
export type VersionUploadFields = z.infer<typeof VersionUploadFields>;

export const ModelVersionOut = z.object({
  id: z.uuid(),
  model: z.string(),
  version: z.string(),
  gitCommit: z.string().nullable(),
  sha256: Sha256,
  sizeBytes: z.number().int(),
  gzipSizeBytes: z.number().int(),
  format: z.enum(['onnx', 'tflite']),
  signature: ModelSignature,
  createdBy: z.string(),
  createdAt: z.string(),
  downloadUrl: z.string(),
});
export type ModelVersionOut = z.infer<typeof ModelVersionOut>;
