import { createHash } from 'node:crypto';
import { createWriteStream } from 'node:fs';
import { Readable, Transform } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import type { ReadableStream as WebReadableStream } from 'node:stream/web';
import {
  AGENT_EPOCH_HEADER,
  type AgentRegister,
  AgentRegistered,
  ErrorBody,
  JobLease,
  JobLockReply,
  JobStartReply,
  WhoAmI,
  type JobNextRequest,
  type AgentHeartbeat,
  type JobFailure,
  type JobStart,
  type ResultPost,
} from '@edgeproof/contracts';
import type { z } from 'zod';

/** A non-2xx answer from the API, or no answer at all (status 0). */
export class ApiError extends Error {
  override name = 'ApiError';
  readonly status: number;
  readonly code: string;
  readonly details: unknown;

  constructor(status: number, code: string, message: string, details?: unknown) {
    super(message);
    this.status = status;
    this.code = code;
    this.details = details;
  }
}

export interface ApiClientOptions {
  /** e.g. http://127.0.0.1:3000 */
  baseUrl: string;
  /** bearer token with role `agent` */
  token: string;
  /** per JSON request; default 30 s */
  requestTimeoutMs?: number;
  /** per artifact download; default 10 min */
  downloadTimeoutMs?: number;
}

/** The agent's calls to the API, typed by the contracts. */
export class ApiClient {
  readonly #base: string;
  readonly #token: string;
  readonly #requestTimeoutMs: number;
  readonly #downloadTimeoutMs: number;
  #epoch: number | undefined;

  constructor(opts: ApiClientOptions) {
    this.#base = opts.baseUrl.replace(/\/+$/, '');
    this.#token = opts.token;
    this.#requestTimeoutMs = opts.requestTimeoutMs ?? 30_000;
    this.#downloadTimeoutMs = opts.downloadTimeoutMs ?? 600_000;
  }

  /** Registers this process as the agent's live instance; later calls carry the epoch it gets. */
  async register(body: z.input<typeof AgentRegister>): Promise<AgentRegistered> {
    const registered = await this.#json('POST', '/v1/agents/register', body, AgentRegistered);
    this.#epoch = registered.epoch;
    return registered;
  }

  /** Who the token is: for an agent token, the agent it is bound to. */
  async whoami(): Promise<WhoAmI> {
    return this.#json('GET', '/v1/whoami', undefined, WhoAmI);
  }

  async heartbeat(agentId: string, body: AgentHeartbeat): Promise<void> {
    await this.#request('POST', `/v1/agents/${encodeURIComponent(agentId)}/heartbeat`, body);
  }

  /**
   * Long-polls for the next job of some of this agent's devices; null when none came within
   * `waitMs`. The job is locked to this process until it is reported or its lock expires.
   */
  async nextJob(body: z.input<typeof JobNextRequest>, signal?: AbortSignal): Promise<JobLease | null> {
    const timeoutMs = (body.waitMs ?? 20_000) + this.#requestTimeoutMs;
    const res = await this.#request('POST', '/v1/agent/jobs/next', body, timeoutMs, signal);
    if (res.status === 204) return null;
    return this.#parse(res, 'POST', '/v1/agent/jobs/next', JobLease);
  }

  /** Renews a job's lock (and its device lease); says whether the job was cancelled meanwhile. */
  async renewLock(jobId: string, lockToken: string): Promise<JobLockReply> {
    return this.#json('POST', `/v1/agent/jobs/${encodeURIComponent(jobId)}/lock`, { lockToken }, JobLockReply);
  }

  /** Gives a fetched job back untouched: it runs again (on this or another process), no attempt spent. */
  async releaseJob(jobId: string, lockToken: string, reason: string): Promise<void> {
    const res = await this.#request('POST', `/v1/agent/jobs/${encodeURIComponent(jobId)}/release`, { lockToken, reason: reason.slice(0, 2000) });
    await res.body?.cancel();
  }

  /** Whether this attempt may measure; false when the job already has a result or was failed/re-routed. */
  async startJob(jobId: string, body: JobStart): Promise<JobStartReply> {
    return this.#json('POST', `/v1/agent/jobs/${encodeURIComponent(jobId)}/start`, body, JobStartReply);
  }

  /** `stored` is false when the API already had a result for the job (it keeps the first one). */
  async postResult(jobId: string, body: ResultPost): Promise<{ stored: boolean }> {
    const res = await this.#request('POST', `/v1/agent/jobs/${encodeURIComponent(jobId)}/result`, body);
    await res.body?.cancel();
    return { stored: res.status === 201 };
  }

  async postFailure(jobId: string, body: JobFailure): Promise<void> {
    const res = await this.#request('POST', `/v1/agent/jobs/${encodeURIComponent(jobId)}/failure`, body);
    await res.body?.cancel();
  }

  /** Streams an artifact to `destPath`, hashing on the way; the caller compares the hash. */
  async downloadArtifact(sha256: string, destPath: string): Promise<{ sha256: string; sizeBytes: number }> {
    const res = await this.#request('GET', `/v1/artifacts/${encodeURIComponent(sha256)}`, undefined, this.#downloadTimeoutMs);
    if (!res.body) throw new ApiError(res.status, 'bad_response', `artifact ${sha256}: empty response body`);
    const hash = createHash('sha256');
    let sizeBytes = 0;
    const meter = new Transform({
      transform(chunk: Buffer, _enc, done) {
        hash.update(chunk);
        sizeBytes += chunk.length;
        done(null, chunk);
      },
    });
    await pipeline(Readable.fromWeb(res.body as WebReadableStream<Uint8Array>), meter, createWriteStream(destPath));
    return { sha256: hash.digest('hex'), sizeBytes };
  }

  async #json<S extends z.ZodType>(method: string, path: string, body: unknown, schema: S): Promise<z.infer<S>> {
    return this.#parse(await this.#request(method, path, body), method, path, schema);
  }

  async #parse<S extends z.ZodType>(res: Response, method: string, path: string, schema: S): Promise<z.infer<S>> {
    const data: unknown = await res.json().catch(() => undefined);
    const parsed = schema.safeParse(data);
    if (!parsed.success) {
      throw new ApiError(res.status, 'bad_response', `${method} ${path}: unexpected response body`, parsed.error.issues);
    }
    return parsed.data;
  }

  async #request(method: string, path: string, body?: unknown, timeoutMs = this.#requestTimeoutMs, signal?: AbortSignal): Promise<Response> {
    const headers: Record<string, string> = { authorization: `Bearer ${this.#token}` };
    if (this.#epoch !== undefined) headers[AGENT_EPOCH_HEADER] = String(this.#epoch);
    if (body !== undefined) headers['content-type'] = 'application/json';
    let res: Response;
    try {
      res = await fetch(`${this.#base}${path}`, {
        method,
        headers,
        ...(body !== undefined ? { body: JSON.stringify(body) } : {}),
        signal: signal ? AbortSignal.any([signal, AbortSignal.timeout(timeoutMs)]) : AbortSignal.timeout(timeoutMs),
      });
    } catch (err) {
      const cause = err instanceof Error ? (err.cause instanceof Error ? err.cause.message : err.message) : String(err);
      throw new ApiError(0, 'unreachable', `${method} ${path}: ${cause}`);
    }
    if (res.ok) return res;
    const text = await res.text().catch(() => '');
    let parsed: ErrorBody | undefined;
    try {
      parsed = ErrorBody.parse(JSON.parse(text));
    } catch {
      parsed = undefined;
    }
    if (parsed) {
      const { code, message, details } = parsed.error;
      throw new ApiError(res.status, code, `${method} ${path}: ${res.status} ${code}: ${message}`, details);
    }
    throw new ApiError(res.status, 'http_error', `${method} ${path}: ${res.status} ${text.slice(0, 500)}`.trim());
  }
}
