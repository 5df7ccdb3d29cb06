import { createHash } from 'node:crypto';
import { createWriteStream } from 'node:fs';
import { Readable, Transform } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import type { ReadableStream as WebReadableStream } from 'node:stream/web';
import {
  AGENT_EPOCH_HEADER,
  AgentRegistered,
  JobLease,
  JobLockReply,
  JobStartReply,
  WhoAmI,
  type AgentHeartbeat,
  type AgentRegister,
  type JobFailure,
  type JobNextRequest,
  type JobStart,
  type ResultPost,
} from '@edgeproof/contracts';
import type { z } from 'zod';
import { ApiError } from './errors.ts';
import { HttpClient } from './http.ts';

export interface AgentClientOptions {
  /** e.g. http://127.0.0.1:3000 */
  baseUrl: string;
  /** bearer token with role `agent` */
  token: string;
  /** per JSON request; default 30 s */
  requestTimeoutMs?: number;
  /** per artifact download; default 10 min */
  downloadTimeoutMs?: number;
}

const enc = encodeURIComponent;

/**
 * The agent's side of the job protocol (docs/adr/0005), typed by the contracts. No call is retried
 * here: the agent decides per call what a failure means (poll again, post the result again, give up).
 */
export class AgentClient {
  readonly #http: HttpClient;
  readonly #requestTimeoutMs: number;
  readonly #downloadTimeoutMs: number;
  #epoch: number | undefined;

  constructor(opts: AgentClientOptions) {
    this.#requestTimeoutMs = opts.requestTimeoutMs ?? 30_000;
    this.#downloadTimeoutMs = opts.downloadTimeoutMs ?? 600_000;
    this.#http = new HttpClient({
      baseUrl: opts.baseUrl,
      token: opts.token,
      timeoutMs: this.#requestTimeoutMs,
      retries: 0,
      headers: () => (this.#epoch !== undefined ? { [AGENT_EPOCH_HEADER]: String(this.#epoch) } : {}),
    });
  }

  /** Registers this process as the agent's live instance; later calls carry the epoch it gets. */
  async register(body: z.input<typeof AgentRegister>): Promise<AgentRegistered> {
    const registered = (await this.#http.call('POST', '/v1/agents/register', AgentRegistered, { json: body })).body;
    this.#epoch = registered.epoch;
    return registered;
  }

  /** Who the token is: for an agent token, the agent it is bound to. */
  async whoami(): Promise<WhoAmI> {
    return (await this.#http.call('GET', '/v1/whoami', WhoAmI)).body;
  }

  async heartbeat(agentId: string, body: AgentHeartbeat): Promise<void> {
    await this.#post(`/v1/agents/${enc(agentId)}/heartbeat`, body);
  }

  /**
   * Long-polls for the next job of some of this agent's devices; null when none came within
   * `waitMs`. The job is locked to this process until it is reported or its lock expires.
   */
  async nextJob(body: z.input<typeof JobNextRequest>, signal?: AbortSignal): Promise<JobLease | null> {
    const timeoutMs = (body.waitMs ?? 20_000) + this.#requestTimeoutMs;
    const res = await this.#http.call('POST', '/v1/agent/jobs/next', JobLease.optional(), { json: body, timeoutMs, signal });
    if (res.status === 204) return null;
    if (!res.body) throw new ApiError(res.status, 'bad_response', 'POST /v1/agent/jobs/next: empty response body', { method: 'POST', path: '/v1/agent/jobs/next' });
    return res.body;
  }

  /** Renews a job's lock (and its device lease); says whether the job was cancelled meanwhile. */
  async renewLock(jobId: string, lockToken: string): Promise<JobLockReply> {
    return (await this.#http.call('POST', `/v1/agent/jobs/${enc(jobId)}/lock`, JobLockReply, { json: { lockToken } })).body;
  }

  /** Gives a fetched job back untouched: it runs again (on this or another process), no attempt spent. */
  async releaseJob(jobId: string, lockToken: string, reason: string): Promise<void> {
    await this.#post(`/v1/agent/jobs/${enc(jobId)}/release`, { lockToken, reason: reason.slice(0, 2000) });
  }

  /** Whether this attempt may measure; false when the job already has a result or was failed/re-routed. */
  async startJob(jobId: string, body: JobStart): Promise<JobStartReply> {
    return (await this.#http.call('POST', `/v1/agent/jobs/${enc(jobId)}/start`, JobStartReply, { json: body })).body;
  }

  /** `stored` is false when the API already had a result for the job (it keeps the first one). */
  async postResult(jobId: string, body: ResultPost): Promise<{ stored: boolean }> {
    return { stored: (await this.#post(`/v1/agent/jobs/${enc(jobId)}/result`, body)) === 201 };
  }

  async postFailure(jobId: string, body: JobFailure): Promise<void> {
    await this.#post(`/v1/agent/jobs/${enc(jobId)}/failure`, body);
  }

  /** Streams an artifact to `destPath`, hashing on the way; the caller compares the hash. */
  async downloadArtifact(sha256: string, destPath: string): Promise<{ sha256: string; sizeBytes: number }> {
    const path = `/v1/artifacts/${enc(sha256)}`;
    const res = await this.#http.send('GET', path, { timeoutMs: this.#downloadTimeoutMs });
    if (!res.body) throw new ApiError(res.status, 'bad_response', `artifact ${sha256}: empty response body`, { method: 'GET', path });
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

  /** A POST whose answer body does not matter; resolves with the status. */
  async #post(path: string, json: unknown): Promise<number> {
    const res = await this.#http.send('POST', path, { json });
    await res.body?.cancel();
    return res.status;
  }
}
