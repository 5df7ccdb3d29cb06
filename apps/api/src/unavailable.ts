import { Prisma } from '@edgeproof/db';

/**
 * Tells a failure to reach PostgreSQL or Redis apart from every other error, so the error handler
 * answers 503 `unavailable` naming the service (and the outbox knows to stop trying) instead of a 500.
 */

export type Service = 'PostgreSQL' | 'Redis';

/** Thrown by the API's own guards when Redis is not connected, before a command could hang. */
export class ServiceUnavailableError extends Error {
  constructor(
    readonly service: Service,
    message: string,
  ) {
    super(message);
    this.name = 'ServiceUnavailableError';
  }
}

/** can't reach, connection closed, timed out waiting for a pooled connection, transaction could not start */
const PRISMA_CONNECTION_CODES = new Set(['P1001', 'P1002', 'P1008', 'P1017', 'P2024', 'P2028']);
const ADAPTER_CONNECTION_KINDS = new Set(['DatabaseNotReachable', 'ConnectionClosed', 'SocketTimeout', 'TooManyConnections', 'TlsConnectionError']);
const REDIS_MESSAGES = [/Stream isn't writeable and enableOfflineQueue/, /^Command timed out/, /^Connection is closed/, /Reached the max retries per request limit/];
const SOCKET_CODES = new Set(['ECONNREFUSED', 'ECONNRESET', 'ETIMEDOUT', 'EPIPE', 'ENOTFOUND', 'EHOSTUNREACH', 'ENETUNREACH']);

function adapterKind(value: unknown): string | undefined {
  const v = value as { name?: unknown; cause?: { kind?: unknown } } | undefined;
  return v?.name === 'DriverAdapterError' && typeof v.cause?.kind === 'string' ? v.cause.kind : undefined;
}

/** Which service a failure could not reach, or null when it is some other error. */
export function unavailableService(err: unknown): Service | null {
  if (err instanceof ServiceUnavailableError) return err.service;
  if (err instanceof Prisma.PrismaClientKnownRequestError) {
    if (PRISMA_CONNECTION_CODES.has(err.code)) return 'PostgreSQL';
    const kind = adapterKind((err.meta as { driverAdapterError?: unknown } | undefined)?.driverAdapterError);
    return kind && ADAPTER_CONNECTION_KINDS.has(kind) ? 'PostgreSQL' : null;
  }
  if (err instanceof Prisma.PrismaClientInitializationError) return 'PostgreSQL';
  const kind = adapterKind(err);
  if (kind) return ADAPTER_CONNECTION_KINDS.has(kind) ? 'PostgreSQL' : null;
  if (!(err instanceof Error)) return null;
  if (err.name === 'MaxRetriesPerRequestError' || REDIS_MESSAGES.some((re) => re.test(err.message))) return 'Redis';
  // a bare socket error that reached a route: both clients above wrap theirs, so it is Redis's (ioredis passes them on)
  const code = (err as NodeJS.ErrnoException).code;
  return code && SOCKET_CODES.has(code) ? 'Redis' : null;
}
