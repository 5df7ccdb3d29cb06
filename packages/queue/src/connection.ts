import { Redis } from 'ioredis';

/**
 * For anything that blocks on Redis (BullMQ Workers, blocking reads, subscribers): requests never
 * give up, they wait for Redis to come back. Credentials come from the URL
 * (`redis://[user]:password@host:port[/db]`, `rediss://` for TLS), which ioredis sends as AUTH
 * before any other command.
 */
export function createBlockingRedis(url: string): Redis {
  return new Redis(url, { maxRetriesPerRequest: null, enableReadyCheck: true });
}

/** How long a producer command may take before it fails (Redis down or unreachable). */
export const PRODUCER_COMMAND_TIMEOUT_MS = 2_000;

/**
 * For producers that answer an HTTP request (Queue.add, lookups, pings): a command fails at once
 * while Redis is unreachable (no offline queue, one retry per request, bounded connect and command
 * time) instead of hanging the request; the client keeps reconnecting in the background. Never give
 * it to a BullMQ Worker (Workers need `createBlockingRedis`).
 */
export function createProducerRedis(url: string): Redis {
  return new Redis(url, {
    maxRetriesPerRequest: 1,
    enableOfflineQueue: false,
    enableReadyCheck: true,
    connectTimeout: PRODUCER_COMMAND_TIMEOUT_MS,
    commandTimeout: PRODUCER_COMMAND_TIMEOUT_MS,
  });
}

/** The blocking connection (kept for existing callers; prefer the two named factories). */
export const createRedis = createBlockingRedis;

/** The URL with its password (and user) replaced by `***`, for logs and terminal output. */
export function redactRedisUrl(url: string): string {
  try {
    const u = new URL(url);
    // ioredis also reads ?password= from the query
    if (!u.password && !u.username && !u.searchParams.has('password')) return url;
    if (u.username) u.username = '***';
    if (u.password) u.password = '***';
    if (u.searchParams.has('password')) u.searchParams.set('password', '***');
    return u.toString();
  } catch {
    // not a URL (a bare host:port or socket path): hide anything before an "@"
    return url.replace(/^[^@/]*@/, '***@');
  }
}
