/**
 * The real API (Postgres, Redis, BullMQ) on a port, behind a recording proxy that can answer for the
 * API when a test scripts a fault (a 503 on a result post, say). Agents under test talk to the proxy.
 */
import { readFile } from 'node:fs/promises';
import { createServer, request as httpRequest, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { BenchmarkSettingsInput, JobStatus } from '@edgeproof/contracts';
import { thirdPartyModels } from '@edgeproof/testkit';
import { modelForm, startTestApi, type TestApi } from '../../../api/test/helpers.ts';

export interface RecordedCall {
  method: string;
  path: string;
  /** parsed JSON body (small bodies only) */
  body: unknown;
}

export interface Lab {
  api: TestApi;
  /** the proxy in front of the API: what agents are given as API_URL */
  url: string;
  calls: RecordedCall[];
  /** answers a request itself when it returns a status (the API never sees it) */
  intercept: (call: RecordedCall) => number | undefined;
  agentToken(agent: string): Promise<string>;
  /** one latency job of the bundled model on the device */
  createJob(deviceId: string, settings?: BenchmarkSettingsInput): Promise<string>;
  waitJob(jobId: string, statuses: JobStatus[], timeoutMs?: number): Promise<{ status: JobStatus; attempts: number; error: string | null }>;
  close(): Promise<void>;
}

export const FAST: BenchmarkSettingsInput = {
  inputShapes: { x: [1, 3, 48, 192] },
  warmupMinRuns: 1,
  warmupMinSeconds: 0,
  measureMinRuns: 5,
  measureMinSeconds: 0,
};

export async function startLab(): Promise<Lab> {
  const api = await startTestApi({ JOB_LOCK_DURATION_MS: 2_000, JOB_STALLED_INTERVAL_MS: 500, HEARTBEAT_INTERVAL_MS: 200 }, { listen: true });
  await api.app.inject({ method: 'POST', url: '/v1/models', headers: api.auth('ci'), payload: { name: 'ocr-cls', taskKind: 'classification', owner: 'tests' } });
  const up = await api.app.inject({
    method: 'POST',
    url: '/v1/models/ocr-cls/versions',
    headers: api.auth('ci'),
    payload: modelForm(await readFile(thirdPartyModels.ocrDirectionClassifier), { version: '2.0' }) as never,
  });
  if (up.statusCode !== 201) throw new Error(`model upload: ${up.statusCode} ${up.body}`);
  const target = new URL(api.url);

  const lab: Lab = {
    api,
    url: '',
    calls: [],
    intercept: () => undefined,
    agentToken: (agent) => api.agentToken(agent),
    createJob: async (deviceId, settings = FAST) => {
      const res = await api.app.inject({ method: 'POST', url: '/v1/runs', headers: api.auth('ci'), payload: { model: 'ocr-cls', version: '2.0', devices: { ids: [deviceId] }, benchmarks: ['latency'], settings } });
      if (res.statusCode !== 201) throw new Error(`run: ${res.statusCode} ${res.body}`);
      return res.json().jobs[0].id as string;
    },
    waitJob: async (jobId, statuses, timeoutMs = 45_000) => {
      const deadline = Date.now() + timeoutMs;
      for (;;) {
        const row = await api.app.db.job.findUniqueOrThrow({ where: { id: jobId } });
        if (statuses.includes(row.status)) return row;
        if (Date.now() > deadline) throw new Error(`job ${jobId} still ${row.status} (${row.error ?? ''}) after ${timeoutMs} ms`);
        await new Promise((r) => setTimeout(r, 50));
      }
    },
    close: async () => {
      const closed = new Promise((r) => server.close(r));
      server.closeAllConnections();
      await closed;
      await api.close();
    },
  };

  const server = createServer((req: IncomingMessage, res: ServerResponse) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const raw = Buffer.concat(chunks);
      let body: unknown;
      try {
        body = raw.length && raw.length < 1_000_000 ? JSON.parse(raw.toString('utf8')) : undefined;
      } catch {
        body = undefined;
      }
      const call = { method: req.method ?? '', path: new URL(req.url ?? '/', 'http://x').pathname, body };
      lab.calls.push(call);
      const scripted = lab.intercept(call);
      if (scripted !== undefined) {
        res.writeHead(scripted, { 'content-type': 'application/json' }).end(JSON.stringify({ error: { code: 'unavailable', message: 'scripted by the test' } }));
        return;
      }
      const upstream = httpRequest({ host: target.hostname, port: target.port, method: req.method, path: req.url, headers: req.headers }, (up) => {
        res.writeHead(up.statusCode ?? 502, up.headers);
        up.pipe(res);
      });
      upstream.on('error', () => res.destroy());
      res.on('close', () => upstream.destroy());
      upstream.end(raw);
    });
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  lab.url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  return lab;
}
