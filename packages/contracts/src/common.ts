import { z } from 'zod';

export const Role = z.enum(['admin', 'ml_engineer', 'ci', 'agent', 'viewer']);
export type Role = z.infer<typeof Role>;

export const TaskKind = z.enum(['classification', 'detection', 'other']);
export type TaskKind = z.infer<typeof TaskKind>;

export const DeviceTier = z.enum(['low', 'mid', 'high']);
export type DeviceTier = z.infer<typeof DeviceTier>;

export const DeviceStatus = z.enum(['idle', 'busy', 'offline', 'unhealthy', 'quarantined']);
export type DeviceStatus = z.infer<typeof DeviceStatus>;

export const BenchmarkKind = z.enum(['latency', 'accuracy', 'parity', 'feature']);
export type BenchmarkKind = z.infer<typeof BenchmarkKind>;

export const RunStatus = z.enum(['queued', 'running', 'succeeded', 'failed', 'partial', 'cancelled']);
export type RunStatus = z.infer<typeof RunStatus>;

export const JobStatus = z.enum(['queued', 'running', 'succeeded', 'failed', 'cancelled']);
export type JobStatus = z.infer<typeof JobStatus>;

export const Sha256 = z.string().regex(/^[0-9a-f]{64}$/, 'expected a lowercase hex sha256');

/** Names used in URLs: models, datasets, agents. */
export const Slug = z
  .string()
  .min(1)
  .max(100)
  .regex(/^[a-zA-Z0-9][a-zA-Z0-9._-]*$/, 'letters, digits, ".", "_" and "-", starting with a letter or digit');

export const VersionName = z
  .string()
  .min(1)
  .max(100)
  .regex(/^[a-zA-Z0-9][a-zA-Z0-9.+_-]*$/, 'semver or a free-form tag of letters, digits, ".", "+", "_" and "-"');

export const PageQuery = z.strictObject({
  limit: z.coerce.number().int().min(1).max(200).default(50),
  /** the previous page's nextCursor: the id of its last row */
  cursor: z.uuid('expected the nextCursor of the previous page').optional(),
});
export type PageQuery = z.infer<typeof PageQuery>;

export const Page = <T extends z.ZodType>(item: T) =>
  z.object({ items: z.array(item), nextCursor: z.string().nullable() });

export const ErrorCode = z.enum([
  'bad_request',
  'unauthorized',
  'forbidden',
  'not_found',
  'conflict',
  'payload_too_large',
  'unprocessable',
  'invalid_model',
  'invalid_dataset',
  'internal',
  'unavailable',
  /** an agent call from a process that another instance of the same agent has taken over (fenced) */
  'superseded',
]);
export type ErrorCode = z.infer<typeof ErrorCode>;

export const ErrorBody = z.object({
  error: z.object({ code: ErrorCode, message: z.string(), details: z.unknown().optional() }),
});
export type ErrorBody = z.infer<typeof ErrorBody>;
