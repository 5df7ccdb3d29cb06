import type { z } from 'zod';
import { ApiError, isTransient } from './errors.ts';

/** A bearer token, or a function read at every call (the dashboard's session token). */
export type TokenSource = string | (() => string | null | undefined);

export interface HttpOptions {
  /** e.g. https://edgeproof.example.com; '' for same-origin calls (the dashboard) */
  baseUrl: string;
  token?: TokenSource | undefined;
  /** per attempt, until the body is read; default 30 s */
  timeoutMs?: number | undefined;
  /** extra attempts for calls that may be repeated (GET, HEAD, PUT, DELETE, and any call with an Idempotency-Key); default 3 */
  retries?: number | undefined;
  /** first backoff; doubles each attempt (with jitter) up to `maxRetryDelayMs`; defaults 250 ms and 5 s */
  retryDelayMs?: number | undefined;
  maxRetryDelayMs?: number | undefined;
  /** headers added to every call, read at each call (e.g. the agent's epoch) */
  headers?: (() => Record<string, string>) | undefined;
  /** told before each retry (logs, progress lines) */
  onRetry?: ((err: ApiError, attempt: number, delayMs: number) => void) | undefined;
}

export type Query = Record<string, string | number | boolean | null | undefined>;

export interface CallOptions {
  query?: Query | undefined;
  json?: unknown;
  /** a multipart body, built again for each attempt (file parts are Blobs read as they are sent) */
  form?: (() => FormData | Promise<FormData>) | undefined;
  headers?: Record<string, string> | undefined;
  /** sent as `Idempotency-Key`; makes the call safe to repeat, so it is retried */
  idempotencyKey?: string | undefined;
  /** the server makes a repeat harmless without a key (an upload of the same bytes under the same version) */
  idempotent?: boolean | undefined;
  retries?: number | undefined;
  timeoutMs?: number | undefined;
  signal?: AbortSignal | undefined;
}

export interface Reply<T> {
  status: number;
  headers: Headers;
  body: T;
}

const REPEATABLE = new Set(['GET', 'HEAD', 'PUT', 'DELETE', 'OPTIONS']);
const MAX_RETRY_AFTER_MS = 30_000;

/**
 * The one HTTP layer of every edgeproof client: bearer token, timeouts, retries with backoff for
 * repeatable calls, the API's error body as an ApiError, and response bodies checked against the
 * contracts' schemas. Uses only `fetch`, so it runs in Node and in browsers.
 */
export class HttpClient {
  readonly baseUrl: string;
  readonly #opts: HttpOptions;

  constructor(opts: HttpOptions) {
    this.baseUrl = opts.baseUrl.replace(/\/+$/, '');
    this.#opts = opts;
  }

  /** A call whose 2xx body must match `schema` (else ApiError `bad_response`). */
  async call<S extends z.ZodType>(method: string, path: string, schema: S, opts: CallOptions = {}): Promise<Reply<z.infer<S>>> {
    return this.#withRetries(method, opts, async () => {
      const res = await this.#fetch(method, path, opts);
      const data = await readJson(res, method, path);
      const parsed = schema.safeParse(data);
      if (!parsed.success) {
        throw new ApiError(res.status, 'bad_response', `${method} ${path}: the response does not match its schema`, { details: parsed.error.issues, method, path });
      }
      return { status: res.status, headers: res.headers, body: parsed.data as z.infer<S> };
    });
  }

  /** A call whose body is typed but not checked (the dashboard: keeps zod out of its bundle). */
  async unchecked<T>(method: string, path: string, opts: CallOptions = {}): Promise<Reply<T>> {
    return this.#withRetries(method, opts, async () => {
      const res = await this.#fetch(method, path, opts);
      return { status: res.status, headers: res.headers, body: (await readJson(res, method, path)) as T };
    });
  }

  /** A 2xx response with its body unread (downloads, 204s); the timeout keeps running while it is read. */
  async send(method: string, path: string, opts: CallOptions = {}): Promise<Response> {
    return this.#withRetries(method, opts, () => this.#fetch(method, path, opts));
  }

  url(path: string, query?: Query): string {
    const params = new URLSearchParams();
    for (const [k, v] of Object.entries(query ?? {})) if (v !== undefined && v !== null) params.set(k, String(v));
    const qs = params.toString();
    return `${this.baseUrl}${path}${qs ? `${path.includes('?') ? '&' : '?'}${qs}` : ''}`;
  }

  async #withRetries<T>(method: string, opts: CallOptions, attempt: () => Promise<T>): Promise<T> {
    const repeatable = REPEATABLE.has(method) || opts.idempotencyKey !== undefined || opts.idempotent === true;
    const retries = repeatable ? (opts.retries ?? this.#opts.retries ?? 3) : 0;
    const base = this.#opts.retryDelayMs ?? 250;
    const cap = this.#opts.maxRetryDelayMs ?? 5_000;
    for (let n = 0; ; n++) {
      try {
        return await attempt();
      } catch (err) {
        if (n >= retries || !isTransient(err) || opts.signal?.aborted) throw err;
        const backoff = Math.min(cap, base * 2 ** n) * (0.5 + Math.random() / 2);
        const delayMs = Math.round(err.retryAfterMs !== undefined ? Math.min(MAX_RETRY_AFTER_MS, Math.max(err.retryAfterMs, backoff)) : backoff);
        this.#opts.onRetry?.(err, n + 1, delayMs);
        await sleep(delayMs, opts.signal);
      }
    }
  }

  async #fetch(method: string, path: string, opts: CallOptions): Promise<Response> {
    const headers: Record<string, string> = { accept: 'application/json', ...this.#opts.headers?.(), ...opts.headers };
    const token = typeof this.#opts.token === 'function' ? this.#opts.token() : this.#opts.token;
    if (token) headers.authorization = `Bearer ${token}`;
    if (opts.idempotencyKey !== undefined) headers['idempotency-key'] = opts.idempotencyKey;
    let body: string | FormData | undefined;
    if (opts.json !== undefined) {
      headers['content-type'] = 'application/json';
      body = JSON.stringify(opts.json);
    } else if (opts.form) {
      body = await opts.form();
    }
    const timeout = AbortSignal.timeout(opts.timeoutMs ?? this.#opts.timeoutMs ?? 30_000);
    const signal = opts.signal ? AbortSignal.any([opts.signal, timeout]) : timeout;
    let res: Response;
    try {
      res = await fetch(this.url(path, opts.query), { method, headers, signal, ...(body !== undefined ? { body } : {}) });
    } catch (err) {
      if (opts.signal?.aborted) throw new ApiError(0, 'aborted', `${method} ${path}: aborted`, { method, path });
      if (timeout.aborted) throw new ApiError(0, 'request_timeout', `${method} ${path}: no answer within ${opts.timeoutMs ?? this.#opts.timeoutMs ?? 30_000} ms`, { method, path });
      const cause = err instanceof Error ? (err.cause instanceof Error ? err.cause.message : err.message) : String(err);
      throw new ApiError(0, 'unreachable', `${method} ${path}: ${cause}`, { method, path });
    }
    if (res.ok) return res;
    throw await errorFrom(res, method, path);
  }
}

async function readJson(res: Response, method: string, path: string): Promise<unknown> {
  const text = await res.text();
  if (res.status === 204 || text === '') return undefined;
  try {
    return JSON.parse(text) as unknown;
  } catch {
    throw new ApiError(res.status, 'bad_response', `${method} ${path}: HTTP ${res.status} with ${describeBody(res, text)}, not JSON`, { method, path });
  }
}

/** The API's `{ error }` body, else `bad_response` naming what came instead (a proxy's HTML page, say). */
async function errorFrom(res: Response, method: string, path: string): Promise<ApiError> {
  const text = await res.text().catch(() => '');
  const retryAfterMs = parseRetryAfter(res.headers.get('retry-after'));
  let error: { code?: unknown; message?: unknown; details?: unknown } | undefined;
  try {
    error = (JSON.parse(text) as { error?: typeof error } | null)?.error;
  } catch {
    error = undefined;
  }
  if (error && typeof error.code === 'string' && typeof error.message === 'string') {
    return new ApiError(res.status, error.code, error.message, { details: error.details, method, path, retryAfterMs });
  }
  const status = `HTTP ${res.status}${res.statusText ? ` ${res.statusText}` : ''}`;
  return new ApiError(res.status, 'bad_response', `${method} ${path}: ${status} with ${describeBody(res, text)}, not an API error`, { method, path, retryAfterMs });
}

function describeBody(res: Response, text: string): string {
  const type = res.headers.get('content-type')?.split(';')[0] ?? 'no content type';
  const snippet = text.replace(/<[^>]*>/g, ' ').replace(/\s+/g, ' ').trim().slice(0, 200);
  return `a ${type} body${snippet ? ` ("${snippet}")` : ''}`;
}

function parseRetryAfter(value: string | null): number | undefined {
  if (!value) return undefined;
  if (/^\d+$/.test(value.trim())) return Number(value) * 1000;
  const at = Date.parse(value);
  return Number.isNaN(at) ? undefined : Math.max(0, at - Date.now());
}

function sleep(ms: number, signal?: AbortSignal): Promise<void> {
  return new Promise((resolve) => {
    const timer = setTimeout(done, ms);
    function done() {
      clearTimeout(timer);
      signal?.removeEventListener('abort', done);
      resolve();
    }
    signal?.addEventListener('abort', done, { once: true });
  });
}
