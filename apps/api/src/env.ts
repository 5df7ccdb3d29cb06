import { z } from 'zod';

const Env = z.object({
  DATABASE_URL: z.string().min(1),
  REDIS_URL: z.string().min(1).default('redis://127.0.0.1:6379'),
  HOST: z.string().default('127.0.0.1'),
  PORT: z.coerce.number().int().min(0).max(65535).default(8080),
  LOG_LEVEL: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).default('info'),
  ARTIFACT_ROOT: z.string().default('.data/artifacts'),
  /** uploads larger than this get 413 */
  MAX_ARTIFACT_BYTES: z.coerce.number().int().positive().default(512 * 1024 * 1024),
  QUEUE_PREFIX: z.string().default('edgeproof'),
  /** a token with the admin role, created (hashed) on start when set */
  EDGEPROOF_ADMIN_TOKEN: z.string().min(32, 'at least 32 characters').optional(),
  PUBLIC_URL: z.string().optional(),
  HEARTBEAT_INTERVAL_MS: z.coerce.number().int().positive().default(5_000),
  /** a device silent for this long is offline */
  DEVICE_OFFLINE_AFTER_MS: z.coerce.number().int().positive().default(20_000),
  /** a queued job whose device is offline and has no equivalent fails after this long */
  REROUTE_TIMEOUT_MS: z.coerce.number().int().positive().default(10 * 60_000),
  WATCHDOG_INTERVAL_MS: z.coerce.number().int().positive().default(5_000),
  /** a device whose health checks fail this many times in a row is quarantined until an admin releases it */
  QUARANTINE_AFTER_HEALTH_FAILURES: z.coerce.number().int().positive().default(3),
  /** a job fetched by an agent stays locked this long without a renewal; a killed agent's job runs again after it */
  JOB_LOCK_DURATION_MS: z.coerce.number().int().min(1000).default(30_000),
  /** how often jobs whose lock expired are put back on their queue */
  JOB_STALLED_INTERVAL_MS: z.coerce.number().int().min(500).default(15_000),
});
export type ApiConfig = z.infer<typeof Env>;

export function loadEnv(source: NodeJS.ProcessEnv = process.env): ApiConfig {
  const parsed = Env.safeParse(source);
  if (!parsed.success) {
    const lines = parsed.error.issues.map((i) => `  ${i.path.join('.')}: ${i.message}`);
    throw new Error(`invalid API environment:\n${lines.join('\n')}`);
  }
  return parsed.data;
}
