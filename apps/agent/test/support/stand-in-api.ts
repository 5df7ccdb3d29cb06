import { randomUUID } from 'node:crypto';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import {
  AgentHeartbeat,
  AgentRegister,
  JobFailure,
  JobStart,
  ResultPost,
  type AgentRegistered,
  type JobStartReply,
} from '@edgeproof/contracts';
import { deviceQueueName } from '@edgeproof/queue';
import type { z } from 'zod';

/**
 * A stand-in for the agent-facing routes of apps/api, for agent unit tests only: it checks the bearer
 * token and validates every body against the contracts, records the calls, and answers as scripted.
 */
export interface StandInApi {
  url: string;
  token: string;
  calls: { method: string; path: string; body: unknown }[];
  heartbeats: AgentHeartbeat[];
  starts: { jobId: string; body: JobStart }[];
  results: { jobId: string; body: ResultPost }[];
  failures: { jobId: string; body: JobFailure }[];
  downloads: string[];
  artifacts: Map<string, Buffer>;
  registered: AgentRegistered | undefined;
  /** scripted answers; defaults proceed / 201 */
  onStart: (jobId: string, body: JobStart) => JobStartReply;
  onResult: (jobId: string, body: ResultPost) => number;
  heartbeatIntervalMs: number;
  close(): Promise<void>;
}

export async function startStandInApi(opts: { heartbeatIntervalMs?: number } = {}): Promise<StandInApi> {
  const token = `agent-token-${randomUUID()}`;
  const agentId = randomUUID();
  const deviceIds = new Map<string, string>();
  const api: StandInApi = {
    url: '',
    token,
    calls: [],
    heartbeats: [],
    starts: [],
    results: [],
    failures: [],
    downloads: [],
    artifacts: new Map(),
    registered: undefined,
    onStart: () => ({ proceed: true }),
    onResult: () => 201,
    heartbeatIntervalMs: opts.heartbeatIntervalMs ?? 200,
    close: () => new Promise((resolve) => server.close(() => resolve())),
  };

  const server: Server = createServer((req, res) => {
    handle(req, res).catch((err: unknown) => send(res, 500, { error: { code: 'internal', message: String(err) } }));
  });

  async function handle(req: IncomingMessage, res: ServerResponse) {
    if (req.headers.authorization !== `Bearer ${token}`) {
      return send(res, 401, { error: { code: 'unauthorized', message: 'bad token' } });
    }
    const path = new URL(req.url ?? '/', 'http://x').pathname;
    const raw = await readBody(req);
    const body: unknown = raw ? JSON.parse(raw) : undefined;
    api.calls.push({ method: req.method ?? '', path, body });
    let m: RegExpExecArray | null;

    if (req.method === 'POST' && path === '/v1/agents/register') {
      const reg = check(AgentRegister, body, res);
      if (!reg) return;
      const devices = reg.devices.map((d) => {
        const id = deviceIds.get(d.localKey) ?? randomUUID();
        deviceIds.set(d.localKey, id);
        return { id, localKey: d.localKey, queue: deviceQueueName(id) };
      });
      api.registered = { agentId, instanceId: reg.instanceId ?? randomUUID(), epoch: 1, devices, heartbeatIntervalMs: api.heartbeatIntervalMs };
      return send(res, 200, api.registered);
    }
    if (req.method === 'POST' && (m = /^\/v1\/agents\/([^/]+)\/heartbeat$/.exec(path))) {
      if (m[1] !== agentId) return send(res, 404, { error: { code: 'not_found', message: 'no such agent' } });
      const hb = check(AgentHeartbeat, body, res);
      if (!hb) return;
      api.heartbeats.push(hb);
      return send(res, 204);
    }
    if (req.method === 'GET' && (m = /^\/v1\/artifacts\/([0-9a-f]{64})$/.exec(path))) {
      const bytes = api.artifacts.get(m[1] as string);
      if (!bytes) return send(res, 404, { error: { code: 'not_found', message: 'no such artifact' } });
      api.downloads.push(m[1] as string);
      res.writeHead(200, { 'content-type': 'application/octet-stream', 'content-length': bytes.length });
      return res.end(bytes);
    }
    if (req.method === 'POST' && (m = /^\/v1\/agent\/jobs\/([^/]+)\/(start|result|failure)$/.exec(path))) {
      const jobId = m[1] as string;
      if (m[2] === 'start') {
        const start = check(JobStart, body, res);
        if (!start) return;
        api.starts.push({ jobId, body: start });
        return send(res, 200, api.onStart(jobId, start));
      }
      if (m[2] === 'result') {
        const result = check(ResultPost, body, res);
        if (!result) return;
        api.results.push({ jobId, body: result });
        const status = api.onResult(jobId, result);
        if (status >= 400) return send(res, status, { error: { code: 'unavailable', message: 'scripted failure' } });
        return send(res, status, { stored: status === 201 });
      }
      const failure = check(JobFailure, body, res);
      if (!failure) return;
      api.failures.push({ jobId, body: failure });
      return send(res, 200, { ok: true });
    }
    return send(res, 404, { error: { code: 'not_found', message: `no route ${req.method} ${path}` } });
  }

  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  api.url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  return api;
}

function check<S extends z.ZodType>(schema: S, body: unknown, res: ServerResponse): z.infer<S> | undefined {
  const parsed = schema.safeParse(body);
  if (parsed.success) return parsed.data;
  send(res, 400, { error: { code: 'bad_request', message: 'invalid body', details: parsed.error.issues } });
  return undefined;
}

function send(res: ServerResponse, status: number, body?: unknown): void {
  if (body === undefined) {
    res.writeHead(status).end();
    return;
  }
  res.writeHead(status, { 'content-type': 'application/json' }).end(JSON.stringify(body));
}

async function readBody(req: IncomingMessage): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const c of req) chunks.push(c as Buffer);
  return Buffer.concat(chunks).toString('utf8');
}
