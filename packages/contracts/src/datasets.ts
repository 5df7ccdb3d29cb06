import { z } from 'zod';
import { Sha256, Slug, TaskKind, VersionName } from './common.ts';
import { ElementType } from './signature.ts';

/**
 * Dataset file format "edgeproof-dataset/v1" (JSON Lines, UTF-8):
 * line 1 is a DatasetHeader; every further line is a DatasetSample.
 */
export const DATASET_FORMAT = 'edgeproof-dataset/v1';

export const DatasetHeader = z.strictObject({
  format: z.literal(DATASET_FORMAT),
  taskKind: TaskKind,
  /** input tensors every sample provides, keyed by the model's input name */
  inputs: z
    .array(
      z.strictObject({
        name: z.string().min(1),
        elementType: ElementType.exclude(['string', 'unknown', 'bfloat16', 'float16']),
        shape: z.array(z.number().int().positive()).min(1),
      }),
    )
    .min(1),
  /** class names; a sample's label is an index into this list */
  labels: z.array(z.string()).min(1),
});
export type DatasetHeader = z.infer<typeof DatasetHeader>;

export const DatasetSample = z.strictObject({
  /** flat row-major values per input name */
  inputs: z.record(z.string(), z.array(z.union([z.number(), z.boolean()]))),
  label: z.number().int().nonnegative(),
});
export type DatasetSample = z.infer<typeof DatasetSample>;

export const DatasetUploadFields = z.strictObject({
  name: Slug,
  version: VersionName,
});
export type DatasetUploadFields = z.infer<typeof DatasetUploadFields>;

export const DatasetOut = z.object({
  id: z.uuid(),
  name: z.string(),
  version: z.string(),
  taskKind: TaskKind,
  sha256: Sha256,
  sizeBytes: z.number().int(),
  sampleCount: z.number().int(),
  header: DatasetHeader,
  createdBy: z.string(),
  createdAt: z.string(),
});
export type DatasetOut = z.infer<typeof DatasetOut>;
