import {
  ApprovalOut,
  ApprovedModelOut,
  AuditEntryOut,
  DatasetOut,
  DeviceOut,
  GateOut,
  ModelOut,
  ModelVersionOut,
  Page,
  RunOut,
  RunOutWithoutSamples,
  RuntimeTable,
  StoredPolicyOut,
  TokenCreated,
  WhoAmI,
  type GateCreate,
  type ModelCreate,
  type PolicyRef,
  type RunCreateInput,
} from '@edgeproof/contracts';
import { z } from 'zod';
import { ApiError } from './errors.ts';
import { HttpClient, type CallOptions, type HttpOptions } from './http.ts';

/** A file to upload: a path (Node entry only) or a Blob with the name it is sent under. */
export type FileInput = string | { blob: Blob; name: string };

export interface ClientOptions extends Omit<HttpOptions, 'baseUrl' | 'token'> {
  /** per upload attempt; default 10 min */
  uploadTimeoutMs?: number | undefined;
}

export const TERMINAL_RUN_STATUSES: readonly RunOut['status'][] = ['succeeded', 'failed', 'partial', 'cancelled'];
export const TERMINAL_GATE_STATUSES: readonly GateOut['status'][] = ['done', 'error', 'cancelled'];

const enc = encodeURIComponent;
const Items = <T extends z.ZodType>(item: T) => z.object({ items: z.array(item) });
const newKey = () => globalThis.crypto.randomUUID();

/**
 * The edgeproof API, typed and checked: every answer is parsed with the contracts' schema, every
 * creation carries an Idempotency-Key (so a retry after a lost answer creates nothing twice).
 * Browser-safe; the Node entry's subclass adds uploads from file paths.
 */
export class EdgeproofClient {
  readonly http: HttpClient;
  readonly #uploadTimeoutMs: number;

  constructor(baseUrl: string, token: HttpOptions['token'], opts: ClientOptions = {}) {
    this.http = new HttpClient({ ...opts, baseUrl, token });
    this.#uploadTimeoutMs = opts.uploadTimeoutMs ?? 600_000;
  }

  get baseUrl(): string {
    return this.http.baseUrl;
  }

  /** Escape hatch for routes without a method here: `body` is the parsed JSON, unchecked. */
  async request<T>(method: string, path: string, init: { json?: unknown; body?: FormData; headers?: Record<string, string> } = {}): Promise<{ status: number; body: T }> {
    const form = init.body;
    const reply = await this.http.unchecked<T>(method, path, { json: init.json, headers: init.headers, ...(form ? { form: () => form } : {}) });
    return { status: reply.status, body: reply.body };
  }

  async whoami(): Promise<WhoAmI> {
    return (await this.http.call('GET', '/v1/whoami', WhoAmI)).body;
  }

  async getModel(name: string): Promise<ModelOut> {
    return (await this.http.call('GET', `/v1/models/${enc(name)}`, ModelOut)).body;
  }

  /** The model, created when missing (a concurrent creation is read back, not an error). */
  async ensureModel(model: ModelCreate): Promise<ModelOut> {
    try {
      return await this.getModel(model.name);
    } catch (err) {
      if (!(err instanceof ApiError) || err.status !== 404) throw err;
    }
    try {
      return (await this.http.call('POST', '/v1/models', ModelOut, { json: model })).body;
    } catch (err) {
      if (err instanceof ApiError && err.status === 409) return this.getModel(model.name);
      throw err;
    }
  }

  /** Uploads a model build; the same bytes under the same version answer with the stored version (so it is retried). */
  async uploadModelVersion(model: string, file: FileInput, fields: { version: string; gitCommit?: string | undefined }): Promise<{ created: boolean; version: ModelVersionOut }> {
    const text: Record<string, string | undefined> = { version: fields.version, gitCommit: fields.gitCommit };
    const res = await this.http.call('POST', `/v1/models/${enc(model)}/versions`, ModelVersionOut, this.#upload({ file }, text, true));
    return { created: res.status === 201, version: res.body };
  }

  async getModelVersion(model: string, version: string): Promise<ModelVersionOut> {
    return (await this.http.call('GET', `/v1/models/${enc(model)}/versions/${enc(version)}`, ModelVersionOut)).body;
  }

  async listVersions(model: string): Promise<ModelVersionOut[]> {
    return (await this.http.call('GET', `/v1/models/${enc(model)}/versions`, Page(ModelVersionOut), { query: { limit: 200 } })).body.items;
  }

  async uploadDataset(file: FileInput, fields: { name: string; version: string }): Promise<DatasetOut> {
    return (await this.http.call('POST', '/v1/datasets', DatasetOut, this.#upload({ file }, fields, true))).body;
  }

  /** A multipart upload of files and text fields to any upload route (scenarios, features). */
  async uploadFiles<S extends z.ZodType>(path: string, schema: S, files: Record<string, FileInput>, fields: Record<string, string | undefined> = {}): Promise<{ status: number; body: z.infer<S> }> {
    const res = await this.http.call('POST', path, schema, this.#upload(files, fields, true));
    return { status: res.status, body: res.body };
  }

  async createRun(run: RunCreateInput, idempotencyKey: string = newKey()): Promise<RunOut> {
    return (await this.http.call('POST', '/v1/runs', RunOut, { json: run, idempotencyKey })).body;
  }

  /** A run's figures per device, version and runtime, side by side (several forms or runtimes of one model). */
  async runRuntimes(id: string): Promise<RuntimeTable> {
    return (await this.http.call('GET', `/v1/runs/${enc(id)}/runtimes`, RuntimeTable)).body;
  }

  /** A run with its results; `{ samples: false }` leaves the raw samples out (a fraction of the bytes). */
  async getRun(id: string, opts?: { samples?: true }): Promise<RunOut>;
  async getRun(id: string, opts: { samples: false }): Promise<RunOutWithoutSamples>;
  async getRun(id: string, opts: { samples?: boolean } = {}): Promise<RunOut | RunOutWithoutSamples> {
    if (opts.samples === false) return (await this.http.call('GET', `/v1/runs/${enc(id)}`, RunOutWithoutSamples, { query: { samples: 'false' } })).body;
    return (await this.http.call('GET', `/v1/runs/${enc(id)}`, RunOut)).body;
  }

  /** Cancels a queued or running run (repeating it answers the cancelled run; a finished one is 409). */
  async cancelRun(id: string): Promise<RunOut> {
    return (await this.http.call('POST', `/v1/runs/${enc(id)}/cancel`, RunOut, { idempotent: true })).body;
  }

  /**
   * Polls a run until every job is done, calling `onProgress` on each change; ApiError `timeout` at
   * the deadline. Without `onProgress` (which gets whole runs) it polls without raw samples and reads
   * the finished run once with them.
   */
  async waitForRun(id: string, opts: { timeoutMs: number; intervalMs?: number; onProgress?: (run: RunOut) => void }): Promise<RunOut> {
    const deadline = Date.now() + opts.timeoutMs;
    let last = '';
    for (;;) {
      const run = opts.onProgress ? await this.getRun(id) : await this.getRun(id, { samples: false });
      const key = JSON.stringify([run.status, run.progress]);
      if (key !== last) {
        last = key;
        if (opts.onProgress) opts.onProgress(run as RunOut);
      }
      if (TERMINAL_RUN_STATUSES.includes(run.status)) return opts.onProgress ? (run as RunOut) : this.getRun(id);
      if (Date.now() > deadline) throw new ApiError(0, 'timeout', `run ${id} did not finish within ${Math.round(opts.timeoutMs / 1000)} s`);
      await pause(opts.intervalMs ?? 500, deadline);
    }
  }

  async listDevices(): Promise<DeviceOut[]> {
    return (await this.http.call('GET', '/v1/devices', Items(DeviceOut))).body.items;
  }

  /** `agent`: for role agent, the agent the token acts for. Returns the secret. */
  async createToken(name: string, role: string, agent?: string): Promise<string> {
    return (await this.http.call('POST', '/v1/tokens', TokenCreated, { json: { name, role, ...(agent ? { agent } : {}) } })).body.token;
  }

  async createGate(body: GateCreate, idempotencyKey: string = newKey()): Promise<{ created: boolean; gate: GateOut }> {
    const res = await this.http.call('POST', '/v1/gates', GateOut, { json: body, idempotencyKey });
    return { created: res.status === 201, gate: res.body };
  }

  async getGate(id: string): Promise<GateOut> {
    return (await this.http.call('GET', `/v1/gates/${enc(id)}`, GateOut)).body;
  }

  /** Cancels a running or confirming gate and its runs (repeating it answers the cancelled gate; a decided one is 409). */
  async cancelGate(id: string): Promise<GateOut> {
    return (await this.http.call('POST', `/v1/gates/${enc(id)}/cancel`, GateOut, { idempotent: true })).body;
  }

  async reevaluateGate(id: string, policy: PolicyRef): Promise<GateOut> {
    return (await this.http.call('POST', `/v1/gates/${enc(id)}/reevaluate`, GateOut, { json: { policy } })).body;
  }

  /** Polls a gate until it is decided; ApiError code `timeout` when the deadline passes. */
  async waitForGate(id: string, opts: { timeoutMs: number; intervalMs?: number; onPoll?: (gate: GateOut, run: RunOut) => void }): Promise<GateOut> {
    const deadline = Date.now() + opts.timeoutMs;
    for (;;) {
      const gate = await this.getGate(id);
      if (TERMINAL_GATE_STATUSES.includes(gate.status)) return gate;
      if (opts.onPoll) opts.onPoll(gate, await this.getRun(gate.confirmRunId ?? gate.runId));
      if (Date.now() > deadline) throw new ApiError(0, 'timeout', `gate ${id} was not decided within ${Math.round(opts.timeoutMs / 1000)} s`);
      await pause(opts.intervalMs ?? 500, deadline);
    }
  }

  /** Saves the next revision of a stored policy (ml_engineer or admin). */
  async savePolicy(model: string, body: { name: string; source: string }): Promise<StoredPolicyOut> {
    return (await this.http.call('POST', `/v1/models/${enc(model)}/policies`, StoredPolicyOut, { json: body })).body;
  }

  async getPolicy(model: string, name: string): Promise<StoredPolicyOut> {
    return (await this.http.call('GET', `/v1/models/${enc(model)}/policies/${enc(name)}`, StoredPolicyOut)).body;
  }

  async getApproved(model: string, q: { platform?: string | undefined; tier?: string | undefined; channel?: string | undefined }): Promise<ApprovedModelOut> {
    return (await this.http.call('GET', `/v1/models/${enc(model)}/approved`, ApprovedModelOut, { query: q })).body;
  }

  async listApprovals(q: { model?: string | undefined; state?: string | undefined }): Promise<ApprovalOut[]> {
    return (await this.http.call('GET', '/v1/approvals', Page(ApprovalOut), { query: { limit: 200, ...q } })).body.items;
  }

  async approve(body: { model: string; version: string; platform?: string; tier?: string; channel?: string; reason: string }): Promise<ApprovalOut> {
    return (await this.http.call('POST', '/v1/approvals', ApprovalOut, { json: body })).body;
  }

  async revokeApproval(id: string, reason: string): Promise<ApprovalOut> {
    return (await this.http.call('POST', `/v1/approvals/${enc(id)}/revoke`, ApprovalOut, { json: { reason } })).body;
  }

  async listAudit(model?: string): Promise<AuditEntryOut[]> {
    return (await this.http.call('GET', '/v1/audit', Page(AuditEntryOut), { query: { limit: 200, model } })).body.items;
  }

  /** Turns a FileInput into a Blob; the Node entry reads paths lazily from disk. */
  protected openFile(file: FileInput): { blob: Blob; name: string } | Promise<{ blob: Blob; name: string }> {
    if (typeof file !== 'string') return file;
    throw new TypeError(`uploading ${file} by path needs the Node entry of @edgeproof/client`);
  }

  #upload(files: Record<string, FileInput>, fields: Record<string, string | undefined>, idempotent: boolean): CallOptions {
    return {
      idempotent,
      timeoutMs: this.#uploadTimeoutMs,
      form: async () => {
        const form = new FormData();
        for (const [k, v] of Object.entries(fields)) if (v !== undefined) form.append(k, v);
        for (const [k, f] of Object.entries(files)) {
          const { blob, name } = await this.openFile(f);
          form.append(k, blob, name);
        }
        return form;
      },
    };
  }
}

function pause(ms: number, deadline: number): Promise<void> {
  return new Promise((r) => setTimeout(r, Math.min(ms, Math.max(0, deadline - Date.now()) + 10)));
}
