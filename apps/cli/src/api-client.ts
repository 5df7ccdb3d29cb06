import { openAsBlob } from 'node:fs';
import { basename } from 'node:path';
import type {
  ApprovalOut,
  ApprovedModelOut,
  AuditEntryOut,
  DatasetOut,
  DeviceOut,
  GateCreate,
  GateOut,
  ModelCreate,
  ModelOut,
  ModelVersionOut,
  PolicyRef,
  RunCreateInput,
  RunOut,
  StoredPolicyOut,
} from '@edgeproof/contracts';

export class ApiError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
    readonly details?: unknown,
  ) {
    super(message);
  }
}

/** A typed client for the edgeproof HTTP API, used by the CLI and the demo. */
export class EdgeproofClient {
  constructor(
    readonly baseUrl: string,
    private readonly token: string,
  ) {}

  /** @internal shared with the gating client methods */
  async request<T>(method: string, path: string, init: { json?: unknown; body?: FormData; headers?: Record<string, string> } = {}): Promise<{ status: number; body: T }> {
    const headers: Record<string, string> = { authorization: `Bearer ${this.token}`, ...init.headers };
    let body: string | FormData | undefined;
    if (init.json !== undefined) {
      headers['content-type'] = 'application/json';
      body = JSON.stringify(init.json);
    } else if (init.body) {
      body = init.body;
    }
    const res = await fetch(`${this.baseUrl.replace(/\/$/, '')}${path}`, { method, headers, ...(body ? { body } : {}) });
    const text = await res.text();
    const parsed = text ? (JSON.parse(text) as unknown) : undefined;
    if (!res.ok) {
      const err = (parsed as { error?: { code: string; message: string; details?: unknown } } | undefined)?.error;
      throw new ApiError(res.status, err?.code ?? 'http_error', err?.message ?? `${method} ${path} answered ${res.status}`, err?.details);
    }
    return { status: res.status, body: parsed as T };
  }

  async ensureModel(model: ModelCreate): Promise<ModelOut> {
    try {
      return (await this.request<ModelOut>('GET', `/v1/models/${encodeURIComponent(model.name)}`)).body;
    } catch (err) {
      if (!(err instanceof ApiError) || err.status !== 404) throw err;
      return (await this.request<ModelOut>('POST', '/v1/models', { json: model })).body;
    }
  }

  /** Uploads a model file; the same bytes under the same version answer with the stored version. */
  async uploadModelVersion(model: string, file: string, fields: { version: string; gitCommit?: string }): Promise<{ created: boolean; version: ModelVersionOut }> {
    const form = new FormData();
    form.append('version', fields.version);
    if (fields.gitCommit) form.append('gitCommit', fields.gitCommit);
    form.append('file', await openAsBlob(file), basename(file));
    const res = await this.request<ModelVersionOut>('POST', `/v1/models/${encodeURIComponent(model)}/versions`, { body: form });
    return { created: res.status === 201, version: res.body };
  }

  async uploadDataset(file: string, fields: { name: string; version: string }): Promise<DatasetOut> {
    const form = new FormData();
    form.append('name', fields.name);
    form.append('version', fields.version);
    form.append('file', await openAsBlob(file), basename(file));
    return (await this.request<DatasetOut>('POST', '/v1/datasets', { body: form })).body;
  }

  async listVersions(model: string): Promise<ModelVersionOut[]> {
    return (await this.request<{ items: ModelVersionOut[] }>('GET', `/v1/models/${encodeURIComponent(model)}/versions?limit=200`)).body.items;
  }

  async createRun(run: RunCreateInput, idempotencyKey?: string): Promise<RunOut> {
    return (await this.request<RunOut>('POST', '/v1/runs', { json: run, ...(idempotencyKey ? { headers: { 'idempotency-key': idempotencyKey } } : {}) })).body;
  }

  async getRun(id: string): Promise<RunOut> {
    return (await this.request<RunOut>('GET', `/v1/runs/${id}`)).body;
  }

  async listDevices(): Promise<DeviceOut[]> {
    return (await this.request<{ items: DeviceOut[] }>('GET', '/v1/devices')).body.items;
  }

  /** `agent`: for role agent, the agent the token acts for */
  async createToken(name: string, role: string, agent?: string): Promise<string> {
    return (await this.request<{ token: string }>('POST', '/v1/tokens', { json: { name, role, ...(agent ? { agent } : {}) } })).body.token;
  }

  /** Polls a run until every job is done, calling `onProgress` on each change. */
  async waitForRun(id: string, opts: { timeoutMs: number; intervalMs?: number; onProgress?: (run: RunOut) => void }): Promise<RunOut> {
    const deadline = Date.now() + opts.timeoutMs;
    let last = '';
    for (;;) {
      const run = await this.getRun(id);
      const key = JSON.stringify(run.progress);
      if (key !== last) {
        last = key;
        opts.onProgress?.(run);
      }
      if (['succeeded', 'failed', 'partial'].includes(run.status)) return run;
      if (Date.now() > deadline) throw new ApiError(0, 'timeout', `run ${id} did not finish within ${Math.round(opts.timeoutMs / 1000)} s`);
      await new Promise((r) => setTimeout(r, opts.intervalMs ?? 500));
    }
  }

  async createGate(body: GateCreate, idempotencyKey?: string): Promise<{ created: boolean; gate: GateOut }> {
    const res = await this.request<GateOut>('POST', '/v1/gates', { json: body, ...(idempotencyKey ? { headers: { 'idempotency-key': idempotencyKey } } : {}) });
    return { created: res.status === 201, gate: res.body };
  }

  async getGate(id: string): Promise<GateOut> {
    return (await this.request<GateOut>('GET', `/v1/gates/${id}`)).body;
  }

  async reevaluateGate(id: string, policy: PolicyRef): Promise<GateOut> {
    return (await this.request<GateOut>('POST', `/v1/gates/${id}/reevaluate`, { json: { policy } })).body;
  }

  /** Polls a gate until it is decided; throws ApiError code "timeout" when the deadline passes. */
  async waitForGate(id: string, opts: { timeoutMs: number; intervalMs?: number; onPoll?: (gate: GateOut, run: RunOut) => void }): Promise<GateOut> {
    const deadline = Date.now() + opts.timeoutMs;
    for (;;) {
      const gate = await this.getGate(id);
      if (gate.status === 'done' || gate.status === 'error') return gate;
      if (opts.onPoll) opts.onPoll(gate, await this.getRun(gate.confirmRunId ?? gate.runId));
      if (Date.now() > deadline) throw new ApiError(0, 'timeout', `gate ${id} was not decided within ${Math.round(opts.timeoutMs / 1000)} s`);
      await new Promise((r) => setTimeout(r, Math.min(opts.intervalMs ?? 500, Math.max(0, deadline - Date.now()) + 10)));
    }
  }

  /** Saves the next revision of a stored policy (ml_engineer or admin). */
  async savePolicy(model: string, body: { name: string; source: string }): Promise<StoredPolicyOut> {
    return (await this.request<StoredPolicyOut>('POST', `/v1/models/${encodeURIComponent(model)}/policies`, { json: body })).body;
  }

  async getPolicy(model: string, name: string): Promise<StoredPolicyOut> {
    return (await this.request<StoredPolicyOut>('GET', `/v1/models/${encodeURIComponent(model)}/policies/${encodeURIComponent(name)}`)).body;
  }

  async getApproved(model: string, q: { platform?: string | undefined; tier?: string | undefined; channel?: string | undefined }): Promise<ApprovedModelOut> {
    const params = new URLSearchParams(Object.entries(q).filter((e): e is [string, string] => e[1] !== undefined));
    return (await this.request<ApprovedModelOut>('GET', `/v1/models/${encodeURIComponent(model)}/approved?${params}`)).body;
  }

  async listApprovals(q: { model?: string | undefined; state?: string | undefined }): Promise<ApprovalOut[]> {
    const params = new URLSearchParams(Object.entries({ limit: '200', ...q }).filter((e): e is [string, string] => e[1] !== undefined));
    return (await this.request<{ items: ApprovalOut[] }>('GET', `/v1/approvals?${params}`)).body.items;
  }

  async approve(body: { model: string; version: string; platform?: string; tier?: string; channel?: string; reason: string }): Promise<ApprovalOut> {
    return (await this.request<ApprovalOut>('POST', '/v1/approvals', { json: body })).body;
  }

  async revokeApproval(id: string, reason: string): Promise<ApprovalOut> {
    return (await this.request<ApprovalOut>('POST', `/v1/approvals/${id}/revoke`, { json: { reason } })).body;
  }

  async listAudit(model?: string): Promise<AuditEntryOut[]> {
    return (await this.request<{ items: AuditEntryOut[] }>('GET', `/v1/audit?limit=200${model ? `&model=${encodeURIComponent(model)}` : ''}`)).body.items;
  }
}
