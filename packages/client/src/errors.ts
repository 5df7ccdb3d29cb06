/**
 * Every failed call: the API's `{ error: { code, message, details } }` when it answered with one,
 * else one of the client's own codes (status 0 when nothing answered):
 * `unreachable`, `request_timeout`, `aborted` (status 0), `bad_response` (a body that is not the
 * API's JSON, e.g. a proxy's HTML 502, or a 2xx body that does not match its schema).
 */
export class ApiError extends Error {
  override name = 'ApiError';
  readonly status: number;
  readonly code: string;
  readonly details: unknown;
  readonly method: string;
  readonly path: string;
  /** from a Retry-After header, when the answer had one */
  readonly retryAfterMs: number | undefined;

  constructor(status: number, code: string, message: string, opts: { details?: unknown; method?: string; path?: string; retryAfterMs?: number | undefined } = {}) {
    super(message);
    this.status = status;
    this.code = code;
    this.details = opts.details;
    this.method = opts.method ?? '';
    this.path = opts.path ?? '';
    this.retryAfterMs = opts.retryAfterMs;
  }
}

/** Codes the client itself gives (never sent by the API). */
export const CLIENT_ERROR_CODES = ['unreachable', 'request_timeout', 'aborted', 'bad_response'] as const;

/** A gateway or the API itself said "not now": worth another try for a call that may be repeated. */
export function isTransient(err: unknown): err is ApiError {
  if (!(err instanceof ApiError)) return false;
  if (err.status === 0) return err.code === 'unreachable' || err.code === 'request_timeout';
  return err.status === 429 || err.status === 502 || err.status === 503 || err.status === 504;
}
