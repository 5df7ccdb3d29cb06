/**
 * API read throughput: autocannon (as a library, in this process) against the real API started as
 * child processes (apps/api/src/server.ts) on real Postgres and Redis, every route side by side with
 * GET /health in one run: the app-facing approved read (200 and 304), a release manifest, the device
 * list, the run list of a model (also with every request a different page size, so that no two
 * concurrent requests are the same read and the API's coalescing of identical reads cannot help), and
 * one run (~44 KB: 4 jobs × 500 raw samples) with and without its raw samples. Then the same with 2
 * API replicas (autocannon splits its connections between them).
 * Prints req/s, p99 and the ratio to /health per route, and the CPU time per request of the API
 * process(es) and of the Postgres backends serving them (Postgres must run on this machine).
 * Targets on 2 cores: approved/manifest reads ≥ 0.5 × /health with p99 ≤ 20 ms; /v1/devices and
 * /v1/runs?model= ≥ 0.25 × /health.
 *
 *   npx tsx bench/api-throughput.ts [--seconds 10] [--warmup 2] [--connections 32] [--only approved] [--one-replica]
 */
import { readFileSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import autocannon from 'autocannon';
import Table from 'cli-table3';
import pg from 'pg';
import { newTokenValue } from '../apps/api/src/services/tokens.ts';
import { seedDashboard } from '../apps/api/test/dashboard-seed.ts';
import { registerSimulatedAgent } from '../apps/api/test/simulated-agent.ts';
import { ensureServices } from '../scripts/lib/services.ts';
import { startApiProcess, type ApiProcess } from './support/api-processes.ts';
import { createBenchDatabase } from './support/platform.ts';

const { values } = parseArgs({
  options: {
    seconds: { type: 'string', default: '10' },
    warmup: { type: 'string', default: '2' },
    connections: { type: 'string', default: '32' },
    /** only routes whose name contains one of these comma-separated words (besides /health), e.g. --only runs,devices */
    only: { type: 'string' },
    /** skip the 2-replica phase */
    'one-replica': { type: 'boolean', default: false },
  },
});
const SECONDS = Number(values.seconds);
const WARMUP = Number(values.warmup);
const CONNECTIONS = Number(values.connections);
const MODEL = 'mnist-mlp';
const APPROVED = `/v1/models/${MODEL}/approved?platform=android&tier=mid&channel=production`;

interface Route {
  name: string;
  path: string;
  /** a different path per request (so that no two concurrent requests are the same read) */
  vary?: (n: number) => string;
  headers?: Record<string, string>;
  status: number;
  /** minimum ratio of req/s to /health's, and maximum p99 (ms) */
  target?: { ratio: number; p99Ms?: number };
}

interface Measured {
  route: Route;
  rps: number;
  p99: number;
  /** CPU time of the API process(es) per answered request */
  apiCpuMs: number;
  /** CPU time of the Postgres backends serving the bench database per answered request */
  dbCpuMs: number;
  /** answers with another status than the route's, and socket errors/timeouts */
  unexpected: number;
}

const services = await ensureServices();
const db = await createBenchDatabase(services.databaseUrl, `edgeproof_bench_api_${process.pid}`);
const adminToken = newTokenValue();
const artifactRoot = await mkdtemp(join(tmpdir(), 'edgeproof-bench-api-'));
const env = {
  DATABASE_URL: db.url,
  REDIS_URL: services.redisUrl,
  QUEUE_PREFIX: `edgeproof-bench-api-${process.pid}`,
  EDGEPROOF_ADMIN_TOKEN: adminToken,
  ARTIFACT_ROOT: artifactRoot,
  // replicas behind one address give the same answers (download URLs) and so the same ETags
  PUBLIC_URL: 'https://api.example.test',
  // the seeded devices never heartbeat: they stay as registered for the whole run
  DEVICE_OFFLINE_AFTER_MS: String(3_600_000),
  REROUTE_TIMEOUT_MS: String(3_600_000),
};
const apis: ApiProcess[] = [];
// watches the bench database's backends (their CPU time is read from /proc: Postgres runs on this machine)
const monitor = new pg.Client({ connectionString: db.url });
await monitor.connect();

async function call<T>(url: string, token: string, method: string, path: string, body?: unknown): Promise<{ status: number; headers: Headers; body: T; bytes: number }> {
  const res = await fetch(`${url}${path}`, {
    method,
    headers: { authorization: `Bearer ${token}`, ...(body !== undefined ? { 'content-type': 'application/json' } : {}) },
    ...(body !== undefined ? { body: JSON.stringify(body) } : {}),
  });
  const text = await res.text();
  if (!res.ok) throw new Error(`${method} ${path}: ${res.status} ${text}`);
  return { status: res.status, headers: res.headers, body: JSON.parse(text) as T, bytes: Buffer.byteLength(text) };
}

/** Seeds through the public API: model, 2 versions, an approval, a release manifest, 32 devices, 31 runs (one with results). */
async function seed(url: string) {
  const token = async (name: string, role: string, agent?: string) =>
    (await call<{ token: string }>(url, adminToken, 'POST', '/v1/tokens', { name, role, ...(agent ? { agent } : {}) })).body.token;
  const tokens = { admin: adminToken, ml_engineer: await token('bench-ml', 'ml_engineer') };
  const seeded = await seedDashboard({ url, tokens, agentToken: (agent) => token(`bench-${agent}`, 'agent', agent) }, { devices: 2, samplesPerJob: 500, model: MODEL });
  const farm = await registerSimulatedAgent(url, await token('bench-farm', 'agent', 'bench-farm'), {
    name: 'bench-farm',
    devices: Array.from({ length: 30 }, (_, i) => ({
      localKey: `rack-${i}`,
      platform: i % 3 ? 'android' : 'web',
      driver: 'host',
      maker: 'Google',
      model: `Pixel ${i % 8}`,
      tier: (['low', 'mid', 'high'] as const)[i % 3],
      runtimes: ['onnxruntime-node'],
      tags: ['lab', `shelf-${i % 4}`],
    })),
  });
  for (let i = 0; i < 30; i++) {
    const device = farm.registered.devices[i % farm.registered.devices.length];
    await call(url, tokens.ml_engineer, 'POST', '/v1/runs', { model: MODEL, version: '1.1.0', devices: { ids: [device?.id] }, benchmarks: ['latency'], settings: { dims: { batch: 1 } } });
  }
  await call(url, adminToken, 'POST', '/v1/approvals', { model: MODEL, version: '1.1.0', platform: 'android', tier: 'mid', channel: 'production', reason: 'bench' });
  await call(url, tokens.ml_engineer, 'PUT', '/v1/releases/camera-app/2.4.0', { models: [{ name: MODEL, platform: 'android', tier: 'mid' }] });
  const viewer = await token('bench-viewer', 'viewer');
  const approved = await call(url, viewer, 'GET', APPROVED);
  const full = await call(url, viewer, 'GET', `/v1/runs/${seeded.runId}`);
  const lean = await call(url, viewer, 'GET', `/v1/runs/${seeded.runId}?samples=false`);
  return { viewer, runId: seeded.runId, etag: approved.headers.get('etag') ?? '', runBytes: full.bytes, leanBytes: lean.bytes };
}

function routesFor(s: Awaited<ReturnType<typeof seed>>): Route[] {
  const fast = { ratio: 0.5, p99Ms: 20 };
  return [
    { name: 'GET /health', path: '/health', status: 200 },
    { name: 'GET /v1/models/:name/approved', path: APPROVED, status: 200, target: fast },
    { name: 'approved, If-None-Match → 304', path: APPROVED, headers: { 'if-none-match': s.etag }, status: 304, target: fast },
    { name: 'GET /v1/releases/:app/:version', path: '/v1/releases/camera-app/2.4.0', status: 200, target: fast },
    { name: 'GET /v1/devices (32)', path: '/v1/devices', status: 200, target: { ratio: 0.25 } },
    { name: 'GET /v1/runs?model= (31)', path: `/v1/runs?model=${MODEL}`, status: 200, target: { ratio: 0.25 } },
    // the same 31 runs under 150 page sizes: concurrent requests are never the same read, nothing is shared
    { name: 'GET /v1/runs?model= (31), all distinct', path: `/v1/runs?model=${MODEL}`, vary: (n) => `/v1/runs?model=${MODEL}&limit=${50 + (n % 150)}`, status: 200 },
    { name: `GET /v1/runs/:id (${(s.runBytes / 1024).toFixed(0)} KB)`, path: `/v1/runs/${s.runId}`, status: 200 },
    { name: `GET /v1/runs/:id?samples=false (${(s.leanBytes / 1024).toFixed(1)} KB)`, path: `/v1/runs/${s.runId}?samples=false`, status: 200 },
  ];
}

const cpuSecondsOf = (pid: number) => {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    const f = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    return (Number(f[11]) + Number(f[12])) / 100;
  } catch {
    return 0; // gone meanwhile
  }
};

/** CPU seconds so far of every Postgres backend connected to the bench database (same machine) */
async function dbCpu(): Promise<Map<number, number>> {
  const { rows } = await monitor.query<{ pid: number }>('SELECT pid FROM pg_stat_activity WHERE datname = current_database() AND pid <> pg_backend_pid()');
  return new Map(rows.map((r) => [r.pid, cpuSecondsOf(r.pid)]));
}

let sent = 0;
const varied = (path: (n: number) => string) => (request: autocannon.Request) => ({ ...request, path: path(sent++) });

/** One autocannon instance per replica, the connections split between them, all at once. */
async function measure(urls: string[], route: Route, token: string, seconds: number): Promise<Measured> {
  const pids = apis.filter((a) => urls.includes(a.url)).map((a) => a.child.pid as number);
  const cpuBefore = pids.reduce((sum, pid) => sum + cpuSecondsOf(pid), 0);
  const dbBefore = await dbCpu();
  const results = await Promise.all(
    urls.map((url) =>
      autocannon({
        url: `${url}${route.path}`,
        connections: Math.max(1, Math.round(CONNECTIONS / urls.length)),
        duration: seconds,
        headers: { authorization: `Bearer ${token}`, ...route.headers },
        ...(route.vary ? { requests: [{ setupRequest: varied(route.vary) }] } : {}),
      }),
    ),
  );
  const cpu = pids.reduce((sum, pid) => sum + cpuSecondsOf(pid), 0) - cpuBefore;
  let db = 0;
  for (const [pid, seconds] of await dbCpu()) db += seconds - (dbBefore.get(pid) ?? 0);
  const answered = results.reduce((sum, r) => sum + r.requests.total, 0);
  let unexpected = 0;
  for (const r of results) {
    const codes = (r as unknown as { statusCodeStats?: Record<string, { count: number }> }).statusCodeStats ?? {};
    for (const [code, { count }] of Object.entries(codes)) if (Number(code) !== route.status) unexpected += count;
    unexpected += r.errors + r.timeouts;
  }
  return {
    route,
    rps: results.reduce((sum, r) => sum + r.requests.total / r.duration, 0),
    // the worse replica's p99: no merged histogram across autocannon instances
    p99: Math.max(...results.map((r) => r.latency.p99)),
    apiCpuMs: answered ? (cpu * 1000) / answered : 0,
    dbCpuMs: answered ? (db * 1000) / answered : 0,
    unexpected,
  };
}

async function phase(replicas: number, routes: Route[], token: string): Promise<Measured[]> {
  const urls = apis.slice(0, replicas).map((a) => a.url);
  const rows: Measured[] = [];
  for (const route of routes) {
    if (WARMUP > 0) await measure(urls, route, token, WARMUP);
    rows.push(await measure(urls, route, token, SECONDS));
  }
  return rows;
}

function table(replicas: number, rows: Measured[]): string {
  const health = rows[0]?.rps ?? 1;
  const t = new Table({ head: ['route', 'req/s', 'p99', '× /health', 'API CPU/req', 'Postgres CPU/req', 'target', ''], style: { head: [], border: [] } });
  for (const m of rows) {
    const ratio = m.rps / health;
    const target = m.route.target;
    const met = target ? ratio >= target.ratio && (target.p99Ms === undefined || m.p99 <= target.p99Ms) : null;
    const want = target ? `≥ ${target.ratio}×${target.p99Ms !== undefined ? `, p99 ≤ ${target.p99Ms} ms` : ''}` : '';
    t.push([m.route.name, m.rps.toFixed(0), `${m.p99} ms`, ratio.toFixed(2), `${m.apiCpuMs.toFixed(3)} ms`, `${m.dbCpuMs.toFixed(3)} ms`, want, `${met === null ? '' : met ? 'met' : 'MISSED'}${m.unexpected ? ` (${m.unexpected} unexpected answers)` : ''}`]);
  }
  return `${replicas} API replica${replicas > 1 ? 's' : ''}, ${CONNECTIONS} connections, ${SECONDS} s per route\n${t.toString()}\n`;
}

try {
  apis.push(await startApiProcess(env));
  const seeded = await seed(apis[0]!.url);
  const routes = routesFor(seeded).filter((r, i) => i === 0 || !values.only || values.only.split(',').some((word) => r.name.includes(word)));
  const one = await phase(1, routes, seeded.viewer);
  process.stdout.write(table(1, one));
  if (!values['one-replica']) {
    apis.push(await startApiProcess(env));
    const two = await phase(2, routes, seeded.viewer);
    process.stdout.write(table(2, two));
  }
} finally {
  for (const api of apis) await api.stop();
  await monitor.end();
  await db.drop();
  await rm(artifactRoot, { recursive: true, force: true });
  await services.stop();
}
