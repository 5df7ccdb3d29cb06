import { EvaluateJobPayload } from '@edgeproof/contracts';
import type { z } from 'zod';

export interface JobKind<S extends z.ZodType> {
  /** BullMQ job name */
  name: string;
  schema: S;
  attempts: number;
  backoff: { type: 'exponential' | 'fixed'; delay: number };
}

/**
 * Every job kind the platform queues, shared by the API (producer) and agents (consumers).
 * Timeouts live in the payload's settings (per run), not here.
 */
export const jobCatalog = {
  evaluate: {
    name: 'evaluate',
    schema: EvaluateJobPayload,
    attempts: 3,
    backoff: { type: 'exponential', delay: 2_000 },
  },
} as const satisfies Record<string, JobKind<z.ZodType>>;

export type JobCatalog = typeof jobCatalog;
export type JobName = keyof JobCatalog;
export type JobPayload<N extends JobName> = z.infer<JobCatalog[N]['schema']>;

/** One queue per device: only the agent holding the device consumes it, one job at a time. */
export function deviceQueueName(deviceId: string): string {
  return `device-${deviceId}`;
}

export const DEFAULT_QUEUE_PREFIX = 'edgeproof';
