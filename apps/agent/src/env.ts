import os from 'node:os';
import { z } from 'zod';
import { DeviceTier } from '@edgeproof/contracts';
import { DEFAULT_QUEUE_PREFIX } from '@edgeproof/queue';

const csv = z
  .string()
  .default('')
  .transform((s) =>
    s
      .split(',')
      .map((t) => t.trim())
      .filter(Boolean),
  );

const bool = z.enum(['true', 'false', '1', '0']).transform((v) => v === 'true' || v === '1');

/** The host name as an agent name: letters, digits, ".", "_" and "-", starting with a letter or digit. */
export function defaultAgentName(hostname = os.hostname()): string {
  const slug = hostname.replace(/[^a-zA-Z0-9._-]/g, '-').replace(/^[^a-zA-Z0-9]+/, '').slice(0, 100);
  return slug || 'agent';
}

export const AgentEnv = z.object({
  API_URL: z.url(),
  AGENT_TOKEN: z.string().min(1),
  REDIS_URL: z.string().min(1).default('redis://127.0.0.1:6379'),
  AGENT_NAME: z
    .string()
    .regex(/^[a-zA-Z0-9][a-zA-Z0-9._-]{0,99}$/, 'letters, digits, ".", "_" and "-", starting with a letter or digit')
    .default(() => defaultAgentName()),
  QUEUE_PREFIX: z.string().min(1).default(DEFAULT_QUEUE_PREFIX),
  AGENT_CACHE_DIR: z.string().min(1).default('.data/agent-cache'),
  HOST_DRIVER_ENABLED: bool.default(true),
  HOST_DEVICE_TIER: DeviceTier.default('mid'),
  /** comma-separated */
  HOST_DEVICE_TAGS: csv,
  LOG_LEVEL: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).default('info'),
  /** how long a BullMQ job lock lives without renewal; a dead agent's job is taken over after it */
  LOCK_DURATION_MS: z.coerce.number().int().min(1000).default(30_000),
  STALLED_INTERVAL_MS: z.coerce.number().int().min(1000).default(30_000),
  /** on SIGTERM, how long running jobs may finish before they are cancelled (and retried elsewhere) */
  SHUTDOWN_GRACE_MS: z.coerce.number().int().min(0).default(30_000),
});
export type AgentEnv = z.infer<typeof AgentEnv>;

/** Parses the agent's configuration once, at start; throws a readable error listing every bad variable. */
export function loadEnv(source: Record<string, string | undefined> = process.env): AgentEnv {
  const parsed = AgentEnv.safeParse(source);
  if (!parsed.success) throw new Error(`invalid agent environment:\n${z.prettifyError(parsed.error)}`);
  return parsed.data;
}
