/**
 * Evidence nobody can forge, by brute force: more than 10,000 generated requests (seeded, so a
 * failure replays) across every registered route and method, as every role and as nobody, with
 * garbage path parameters, queries, headers, JSON and multipart bodies. None may answer 5xx; every
 * error is `{error: {code, message, details}}`; no rejected request leaves a row or a file behind;
 * the API still answers /health and /ready afterwards.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ErrorBody } from '@edgeproof/contracts';
import type { RouteOptions } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestApi, type TestApi } from '../../apps/api/test/helpers.ts';
import { ChangeLog, describeRequest, httpGet, listFiles, send, type FuzzResponse } from './support/fuzz-checks.ts';
import { generateRequest, routeInfos, routeKey, UPLOADS, type FuzzRequest, type RouteInfo } from './support/fuzz-requests.ts';
import { createFuzzRng, shrinkJson } from './support/fuzz-values.ts';
import { World } from './support/fuzz-world.ts';
import { snapshot } from './support/snapshot.ts';

const SEED = Number(process.env.FUZZ_SEED ?? 20261129);
const TOTAL = Number(process.env.FUZZ_REQUESTS ?? 10_500);
/** every route gets at least this many requests; the rest are drawn by weight */
const MIN_PER_ROUTE = 25;
/** the digest of every table (snapshot.ts) is taken around every Nth request */
const SNAPSHOT_EVERY = 40;

interface Finding {
  req: FuzzRequest;
  what: string;
}

const isFailure = (res: FuzzResponse) => res.status >= 500 || res.status === 0;

describe('fuzz: every route, every role, garbage in, no 5xx and no traces out', () => {
  let api: TestApi;
  let world: World;
  let changes: ChangeLog;
  let port = 0;
  let dir = '';
  const registered: RouteOptions[] = [];
  const exercised = new Set<string>();

  beforeAll(async () => {
    api = await startTestApi(
      {
        // leases must not expire (and the queue must not fail jobs by itself) while the fuzz runs
        JOB_LOCK_DURATION_MS: 600_000,
        JOB_STALLED_INTERVAL_MS: 600_000,
        // FUZZ_LOG=error shows the API's own account of a 5xx
        LOG_LEVEL: (process.env.FUZZ_LOG ?? 'silent') as 'silent',
        onRoute: (route) => {
          registered.push(route);
          // a route's own onResponse hook sees every request it matched, whatever it answered
          const own = route.onResponse === undefined ? [] : Array.isArray(route.onResponse) ? route.onResponse : [route.onResponse];
          route.onResponse = [...own, async (request) => void exercised.add(routeKey(request.method, request.routeOptions.url ?? ''))];
        },
      },
      { listen: true },
    );
    port = Number(new URL(api.url).port);
    dir = await mkdtemp(join(tmpdir(), 'edgeproof-fuzz-'));
    world = new World(api);
    await world.seed(dir);
    changes = await ChangeLog.install(api.databaseUrl);
  });
  afterAll(async () => {
    await changes?.close();
    await api?.close();
    if (dir) await rm(dir, { recursive: true, force: true });
  });

  /** Greedy shrinking of a failing request: drop headers, query and body parts while it still fails. */
  async function minimize(req: FuzzRequest): Promise<FuzzRequest> {
    let best = req;
    let tries = 0;
    const candidates = function* (r: FuzzRequest): Generator<FuzzRequest> {
      for (const k of Object.keys(r.headers)) yield { ...r, headers: Object.fromEntries(Object.entries(r.headers).filter(([h]) => h !== k)) };
      if (r.query) yield { ...r, query: '' };
      if (r.body) yield { ...r, body: undefined };
      const b = r.body;
      if (b?.kind === 'json') for (const value of shrinkJson(b.value)) yield { ...r, body: { kind: 'json', value } };
      if (b?.kind === 'raw' && b.bytes.length > 1) yield { ...r, body: { kind: 'raw', bytes: b.bytes.subarray(0, b.bytes.length >> 1) } };
      if (b?.kind === 'multipart') {
        for (let i = 0; i < b.parts.length; i++) yield { ...r, body: { ...b, parts: b.parts.filter((_, j) => j !== i) } };
        for (let i = 0; i < b.parts.length; i++) {
          const p = b.parts[i];
          if (p && p.data.length > 1) yield { ...r, body: { ...b, parts: b.parts.map((x, j) => (j === i ? { ...x, data: x.data.subarray(0, x.data.length >> 1) } : x)) } };
        }
      }
    };
    for (let changed = true; changed && tries < 300; ) {
      changed = false;
      for (const c of candidates(best)) {
        if (++tries > 300) break;
        if (isFailure(await send(api.app, port, c))) {
          best = c;
          changed = true;
          break;
        }
      }
    }
    return best;
  }

  it(`answers ${TOTAL} generated requests without a 5xx, with error bodies only, leaving nothing behind`, async () => {
    const started = performance.now();
    const r = createFuzzRng(SEED);
    const routes = new Map<string, RouteInfo>();
    for (const route of registered) for (const info of routeInfos(route)) routes.set(info.key, info);
    const multipart = [...routes.values()].filter((x) => x.multipart).map((x) => x.key);
    expect(multipart.sort(), 'every multipart route has an upload spec in fuzz-multipart.ts').toEqual(Object.keys(UPLOADS).sort());

    // every route MIN_PER_ROUTE times, then by weight (writes more, automatic HEADs less), shuffled
    const all = [...routes.values()];
    const weight = (x: RouteInfo) => (x.method === 'HEAD' ? 0.3 : x.method === 'GET' ? 1 : x.multipart ? 4 : 3);
    const plan: RouteInfo[] = all.flatMap((x) => Array.from({ length: MIN_PER_ROUTE }, () => x));
    while (plan.length < TOTAL) plan.push(r.weighted(all.map((x) => [x, weight(x)] as const)));
    for (let i = plan.length - 1; i > 0; i--) {
      const j = r.int(i + 1);
      [plan[i], plan[j]] = [plan[j] as RouteInfo, plan[i] as RouteInfo];
    }

    const statuses = new Map<number, number>();
    const acceptedByRoute = new Map<string, number>();
    const failures: Array<Finding & { res: FuzzResponse }> = [];
    const badBodies: Finding[] = [];
    const leaks: Finding[] = [];
    const clientErrors: Finding[] = [];
    const slow: Finding[] = [];
    const byRoute = new Map<string, Map<string, number>>();
    let lastChange = await changes.last();
    let lastFiles = await listFiles(api.artifactRoot);
    let snapshotsCompared = 0;

    for (const [i, route] of plan.entries()) {
      const req = generateRequest(r, route, world);
      const sampled = i % SNAPSHOT_EVERY === 0;
      const before = sampled ? await snapshot(api.app.db, api.artifactRoot) : undefined;
      const t0 = performance.now();
      const res = await send(api.app, port, req);
      const ms = performance.now() - t0;
      if (process.env.FUZZ_DEBUG && i % 1000 === 0) console.log(`request ${i} at ${((performance.now() - started) / 1000).toFixed(1)} s`);
      if (process.env.FUZZ_DEBUG && res.status === 0) console.log(`no answer: ${describeRequest(req).slice(0, 1500)}`);
      if (ms > 300) slow.push({ req, what: `${res.status} in ${ms.toFixed(0)} ms` });
      statuses.set(res.status, (statuses.get(res.status) ?? 0) + 1);
      const perRoute = byRoute.get(req.route) ?? new Map<string, number>();
      byRoute.set(req.route, perRoute);
      const code = `${res.status}${res.status >= 400 ? `:${/"message":"([^"]{0,60})/.exec(res.body.toString('utf8'))?.[1] ?? ''}` : ''}`;
      perRoute.set(code, (perRoute.get(code) ?? 0) + 1);
      if (res.clientError && res.status === 0 && !res.clientError.startsWith('timeout')) clientErrors.push({ req, what: res.clientError });
      else if (isFailure(res)) failures.push({ req, res, what: `${res.status} ${res.clientError ?? res.body.subarray(0, 300).toString('utf8')}` });

      const nowChange = await changes.last();
      const nowFiles = await listFiles(api.artifactRoot);
      if (res.status >= 400) {
        if (req.method !== 'HEAD') {
          let json: unknown;
          try {
            json = JSON.parse(res.body.toString('utf8'));
          } catch {
            json = undefined;
          }
          const parsed = ErrorBody.safeParse(json);
          if (!parsed.success) badBodies.push({ req, what: `${res.status} ${String(res.headers['content-type'])}: ${res.body.subarray(0, 300).toString('utf8')}` });
        }
        if (nowChange !== lastChange) leaks.push({ req, what: `${res.status}, wrote ${(await changes.since(lastChange)).join('; ')}` });
        if (nowFiles !== lastFiles) leaks.push({ req, what: `${res.status}, files before:\n${lastFiles}\nafter:\n${nowFiles}` });
        if (before) {
          const after = await snapshot(api.app.db, api.artifactRoot);
          snapshotsCompared++;
          if (JSON.stringify(after) !== JSON.stringify(before)) leaks.push({ req, what: `${res.status}, snapshot changed: ${JSON.stringify({ before, after }).slice(0, 2000)}` });
        }
      } else if (res.status > 0) {
        acceptedByRoute.set(req.route, (acceptedByRoute.get(req.route) ?? 0) + 1);
        let json: unknown;
        try {
          json = res.body.length && String(res.headers['content-type']).includes('json') ? JSON.parse(res.body.toString('utf8')) : undefined;
        } catch {
          json = undefined;
        }
        world.learn(req.route, res.status, json, req.auth);
      }
      lastChange = nowChange;
      lastFiles = nowFiles;
    }
    const seconds = (performance.now() - started) / 1000;

    const minimized: string[] = [];
    const firstPerRoute = [...new Map(failures.map((f) => [f.req.route, f])).values()].slice(0, 6);
    for (const f of firstPerRoute) minimized.push(`${f.what}\n  original: ${describeRequest(f.req)}\n  minimized: ${describeRequest(await minimize(f.req))}`);
    const histogram = Object.fromEntries([...statuses.entries()].sort(([a], [b]) => a - b));
    const neverAccepted = all.map((x) => x.key).filter((k) => !acceptedByRoute.has(k));
    console.log(
      `fuzz seed ${SEED}: ${plan.length} requests in ${seconds.toFixed(1)} s over ${routes.size} routes; statuses ${JSON.stringify(histogram)}; ` +
        `${[...acceptedByRoute.values()].reduce((a, b) => a + b, 0)} accepted; ${snapshotsCompared} table digests compared; ${clientErrors.length} requests the client could not send\n` +
        `routes never answered 2xx: ${neverAccepted.join(', ') || 'none'}`,
    );

    if (process.env.FUZZ_DEBUG) {
      for (const [name, list] of Object.entries({ failures, badBodies, leaks, clientErrors })) {
        const byRoute = new Map<string, Finding[]>();
        for (const f of list) byRoute.set(f.req.route, [...(byRoute.get(f.req.route) ?? []), f]);
        for (const [route, fs] of byRoute) console.log(`${name} ${route} x${fs.length}\n  ${fs[0]?.what.slice(0, 400)}\n  ${describeRequest(fs[0]!.req)}`);
      }
    }
    if (process.env.FUZZ_DEBUG) for (const k of neverAccepted) console.log(`never 2xx ${k}: ${JSON.stringify([...(byRoute.get(k) ?? [])].sort((a, b) => b[1] - a[1]).slice(0, 8))}`);
    if (process.env.FUZZ_DEBUG) for (const f of slow.sort((a, b) => parseInt(b.what.split(' in ')[1] ?? '0') - parseInt(a.what.split(' in ')[1] ?? '0')).slice(0, 15)) console.log(`slow ${f.what}: ${describeRequest(f.req).slice(0, 500)}`);
    expect(plan.length).toBeGreaterThanOrEqual(TOTAL >= 10_000 ? 10_000 : TOTAL);
    expect(failures.length, `5xx or no answer:\n${minimized.join('\n\n')}`).toBe(0);
    expect(badBodies.slice(0, 5).map((f) => `${f.what}\n  ${describeRequest(f.req)}`), 'error bodies that are not ErrorBody').toEqual([]);
    expect(leaks.slice(0, 5).map((f) => `${f.what}\n  ${describeRequest(f.req)}`), 'rejected requests that left rows or files').toEqual([]);
    expect(clientErrors.length, clientErrors.slice(0, 3).map((f) => f.what).join('\n')).toBeLessThan(plan.length * 0.01);
    expect(snapshotsCompared).toBeGreaterThan(plan.length / SNAPSHOT_EVERY / 4);

    const registeredKeys = [...routes.keys()].sort();
    expect([...exercised].filter((k) => routes.has(k)).sort(), 'every registered route answered at least one request').toEqual(registeredKeys);

    expect((await api.app.inject({ method: 'GET', url: '/health' })).statusCode).toBe(200);
    expect((await api.app.inject({ method: 'GET', url: '/ready' })).statusCode).toBe(200);
    expect(await httpGet(port, '/health')).toBe(200);
    expect((await api.app.inject({ method: 'GET', url: '/v1/whoami', headers: api.auth('viewer') })).statusCode).toBe(200);
  }, 900_000);
});
