import { Redis } from 'ioredis';

/**
 * BullMQ workers block on Redis, so their connections must never give up on a request.
 * Credentials come from the URL (`redis://[user]:password@host:port[/db]`, `rediss://` for TLS),
 * which ioredis sends as AUTH before any other command.
 */
export function createRedis(url: string): Redis {
  return new Redis(url, { maxRetriesPerRequest: null, enableReadyCheck: true });
}

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
