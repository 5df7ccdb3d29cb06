/**
 * Turns one registered route into a random request: a way to authenticate, path parameters (existing
 * rows, random ids, garbage), a query string, headers and a body shaped from the route's own schema
 * and then broken, or raw garbage, or a multipart upload (fuzz-multipart.ts).
 */
import { AGENT_EPOCH_HEADER } from '@edgeproof/contracts';
import type { RouteOptions } from 'fastify';
import { z } from 'zod';
import { multipartBody, multipartContentType, renderMultipart, UPLOADS, type MultipartBody } from './fuzz-multipart.ts';
import { mutate, NASTY_STRINGS, nastyString, randomJson, sampleSchema, type Rng } from './fuzz-values.ts';
import { AUTHS, latencyResult, OTHER_AGENT, type Auth, type World } from './fuzz-world.ts';
import { TEST_AGENT } from '../../../apps/api/test/helpers.ts';

type Schema = Record<string, unknown>;

export interface RouteInfo {
  /** `METHOD /url` with the trailing slash of prefix routes dropped */
  key: string;
  method: string;
  url: string;
  /** the registered url ends in "/" (also reachable without it) */
  slash: boolean;
  params: string[];
  body: Schema | null;
  query: Schema | null;
  idempotency: boolean;
  multipart: boolean;
  agentOnly: boolean;
  roles: readonly string[] | null;
}

export const normalizeUrl = (url: string) => (url.length > 1 ? url.replace(/\/$/, '') : url);
export const routeKey = (method: string, url: string) => `${method} ${normalizeUrl(url)}`;

const toJson = (s: unknown): Schema | null => {
  if (!s) return null;
  try {
    return z.toJSONSchema(s as z.ZodType, { io: 'input', unrepresentable: 'any' }) as Schema;
  } catch {
    return {};
  }
};

export function routeInfos(route: RouteOptions): RouteInfo[] {
  const schema = (route.schema ?? {}) as Record<string, unknown>;
  const config = (route.config ?? {}) as { agentOnly?: boolean; roles?: readonly string[] };
  const headers = toJson(schema.headers);
  const methods = Array.isArray(route.method) ? route.method : [route.method];
  return methods.map((method) => ({
    key: routeKey(method, route.url),
    method,
    url: normalizeUrl(route.url),
    slash: route.url.length > 1 && route.url.endsWith('/'),
    params: [...route.url.matchAll(/:([A-Za-z0-9_]+)|\*/g)].map((m) => m[1] ?? '*'),
    body: toJson(schema.body),
    query: toJson(schema.querystring),
    idempotency: Boolean((headers?.properties as Schema | undefined)?.['idempotency-key']),
    multipart: Array.isArray(schema.consumes) && schema.consumes.includes('multipart/form-data'),
    agentOnly: Boolean(config.agentOnly),
    roles: config.roles ?? null,
  }));
}

export type FuzzBody = { kind: 'json'; value: unknown } | { kind: 'raw'; bytes: Buffer } | MultipartBody;

export interface FuzzRequest {
  route: string;
  method: string;
  path: string;
  query: string;
  headers: Record<string, string>;
  body: FuzzBody | undefined;
  transport: 'inject' | 'http';
  auth: Auth;
  how: string[];
}

export function renderBody(b: FuzzBody | undefined): Buffer | undefined {
  if (!b) return undefined;
  if (b.kind === 'raw') return b.bytes;
  if (b.kind === 'multipart') return renderMultipart(b);
  return Buffer.from(JSON.stringify(b.value) ?? '', 'utf8');
}

function chooseAuth(r: Rng, route: RouteInfo): Auth {
  const allowed = route.agentOnly ? ['agent'] : route.roles ? ['admin', ...route.roles] : ['admin', 'ml_engineer', 'ci', 'agent', 'viewer'];
  return r.weighted(
    AUTHS.map((a) => [a, allowed.includes(a) ? (route.agentOnly ? 40 : 12) : a === 'agent-other' && route.agentOnly ? 8 : ['garbage', 'none', 'revoked', 'expired'].includes(a) ? 3 : 2] as const),
  );
}

/** Existing values for a path parameter of this route. */
function existing(r: Rng, route: RouteInfo, param: string, w: World): string[] {
  const resource = route.url.split('/')[2] ?? '';
  const sub = route.url.split('/')[3] ?? '';
  const res = resource === 'dashboard' ? (sub === 'runs' ? 'runs' : 'models') : resource;
  if (param === 'id') return w.get({ runs: 'run', devices: 'device', tokens: 'token', gates: 'gate', approvals: 'approval' }[res] ?? 'run');
  // agent job calls: mostly jobs this agent holds a lock on, so that the protocol gets past the lock check
  if (param === 'jobId' && w.lockTokens.size && r.chance(0.6)) return [...w.lockTokens.keys()];
  if (param === 'jobId' || param === 'job') return w.get('job');
  if (param === 'agentId') return w.get('agent');
  if (param === 'sha256') return w.get('sha256');
  if (param === 'policy') return w.get('policies:name');
  if (param === 'app') return w.get('releases:name');
  if (param === 'appVersion') return w.get('releases:version');
  if (param === 'name') return w.get(`${res}:name`);
  if (param === 'version') return w.get(`${res}:version`);
  if (param === '*') return ['', 'index.html', 'assets/app.js', 'models/fuzz-cls', 'v1/models', 'docs', 'favicon.ico'];
  return [];
}

function paramValue(r: Rng, route: RouteInfo, param: string, w: World, how: string[]): string {
  const known = existing(r, route, param, w);
  const mode = r.weighted([['existing', known.length ? 6 : 0], ['shaped', 2], ['nasty', 3]] as const);
  how.push(`${param}:${mode}`);
  if (mode === 'existing') return r.pick(known);
  if (mode === 'shaped') {
    if (['id', 'jobId', 'job', 'agentId'].includes(param)) return r.uuid();
    if (param === 'sha256') return r.bytes(32).toString('hex');
    return r.pick(['nope', 'a', 'x'.repeat(100), 'Model.v2_x-y', '1.0.0+build', '0', 'A']);
  }
  return r.pick([...NASTY_STRINGS, 'x'.repeat(r.pick([101, 5000])), '../../etc/passwd', '..', '.', '%2e%2e%2f', 'a/b', 'a?b=c', 'a#b', 'a b', nastyString(r)]);
}

function encodeSegment(r: Rng, v: string): string {
  if (r.chance(0.15)) return v.replace(/[?#]/g, encodeURIComponent);
  try {
    return encodeURIComponent(v);
  } catch {
    return v.replace(/[\ud800-\udfff]/g, '%ED%A0%80');
  }
}

function renderQuery(r: Rng, q: unknown): string {
  if (!q || typeof q !== 'object') return '';
  const out: string[] = [];
  const enc = (s: string) => encodeSegment(r, s.slice(0, 20_000));
  for (const [k, v] of Object.entries(q)) {
    if (Array.isArray(v)) for (const x of v.slice(0, 2000)) out.push(`${enc(k)}=${enc(String(typeof x === 'object' ? JSON.stringify(x) : x))}`);
    else if (v === undefined) continue;
    else out.push(`${enc(k)}=${enc(typeof v === 'object' && v ? JSON.stringify(v) : String(v))}`);
  }
  return out.length ? `?${out.join('&')}` : '';
}

function queryString(r: Rng, route: RouteInfo, w: World, how: string[]): string {
  const mode = r.weighted([['schema', route.query ? 6 : 0], ['random-keys', 1], ['garbage', 1], ['none', route.query ? 1 : 6]] as const);
  how.push(`query:${mode}`);
  if (mode === 'none') return '';
  if (mode === 'garbage') return r.pick(['?', '?&&&', '?=x', '?limit=%zz', '?limit', `?cursor=${'a'.repeat(10_000)}`, '?limit=1e400&limit=-0', '?a[b][c]=1', '?%00=%00', '?__proto__[x]=1', `?${'a=1&'.repeat(2000)}`]);
  if (mode === 'random-keys') return renderQuery(r, { [r.pick(['limit', 'cursor', 'model', 'x', '__proto__', nastyString(r).slice(0, 50)])]: randomJson(r, 3) });
  let q = sampleSchema(r, route.query as Schema, w);
  if (r.chance(0.5)) q = mutate(r, q, r.int(3) + 1);
  return renderQuery(r, q);
}

const WRONG_CONTENT_TYPES = ['text/plain', 'application/x-www-form-urlencoded', 'application/json; charset=utf-16', 'application/JSON', 'multipart/form-data', '', 'application/octet-stream', '*/*', 'application/json, text/plain', 'application/vnd.api+json', 'application/json; boundary=x', 'text/html; charset=utf-8'];

function rawGarbage(r: Rng, route: RouteInfo, w: World): Buffer {
  const sample = route.body ? JSON.stringify(sampleSchema(r, route.body, w)) : '{"a":1}';
  const n = r.pick([10, 1000, 100_000]);
  return Buffer.from(
    r.weighted([
      [() => r.bytes(r.int(4096) + 1).toString('latin1'), 3],
      [() => sample.slice(0, r.int(sample.length)), 3],
      [() => '['.repeat(n), 1],
      [() => '{"a":'.repeat(n), 1],
      [() => `\ufeff${sample}`, 1],
      [() => `${sample}${sample}`, 1],
      [() => sample.replace(/^\{/, '{"__proto__":{"polluted":1},'), 1],
      [() => sample.replace(/^\{/, '{"constructor":{"prototype":{"polluted":1}},'), 1],
      [() => sample.replace(/"(\w+)":/, '"$1":1,"$1":'), 1],
      [() => r.pick(['1e999', '-', 'NaN', 'null', '""', '0', 'true', '[]', '{}', ' ', '\u0000']), 2],
      [() => `"${'a'.repeat(r.pick([1e5, 5e6]))}"`, 0.3],
      [() => `[${'1,'.repeat(r.pick([1e5, 1e6]))}1]`, 0.3],
    ] as const)(),
    'latin1',
  );
}

/** Makes a sampled JSON body more often reach the handler: coherent with the agent, the job and its lock. */
function cohere(r: Rng, route: RouteInfo, auth: Auth, path: Record<string, string>, value: unknown, w: World): unknown {
  if (!value || typeof value !== 'object' || Array.isArray(value)) return value;
  const v = { ...(value as Record<string, unknown>) };
  if (route.key === 'POST /v1/agents/register' && r.chance(0.7)) {
    v.name = auth === 'agent-other' ? OTHER_AGENT : TEST_AGENT;
    if (auth === 'agent' && r.chance(0.8)) v.instanceId = w.instanceId;
  }
  const job = path.jobId;
  if (job && route.key.startsWith('POST /v1/agent/jobs/:jobId/')) {
    if (route.key.endsWith('/result') && r.chance(0.4)) Object.assign(v, latencyResult(r.int(3) + 1));
    const lock = w.lockTokens.get(job);
    if (lock && r.chance(0.7)) v.lockToken = lock;
  }
  return v;
}

/** The long poll waits up to 20 s by default: keep valid waits short. */
function shortPoll(route: RouteInfo, value: unknown, r: Rng): unknown {
  if (route.key !== 'POST /v1/agent/jobs/next' || !value || typeof value !== 'object' || Array.isArray(value)) return value;
  const v = value as Record<string, unknown>;
  if (v.waitMs === undefined || (typeof v.waitMs === 'number' && v.waitMs >= 0 && v.waitMs <= 30_000)) return { ...v, waitMs: r.int(20) };
  return value;
}

function epochHeader(r: Rng, route: RouteInfo, auth: Auth, w: World, how: string[]): string | undefined {
  if (!route.agentOnly && !r.chance(0.05)) return undefined;
  const epoch = w.epochFor(auth);
  const mode = r.weighted([['valid', 8], ['stale', 1], ['future', 1], ['garbage', 1], ['missing', 1]] as const);
  how.push(`epoch:${mode}`);
  if (mode === 'valid') return String(epoch);
  if (mode === 'stale') return String(Math.max(0, epoch - 1));
  if (mode === 'future') return String(epoch + 1);
  if (mode === 'garbage') return r.pick(['-1', 'abc', '1e3', '9999999999', '', ' 1', '1.5', '0x1', '٣', '999999999']);
  return undefined;
}

export function generateRequest(r: Rng, route: RouteInfo, w: World): FuzzRequest {
  const how: string[] = [];
  const auth = chooseAuth(r, route);
  how.push(`auth:${auth}`);
  const params: Record<string, string> = {};
  const pair = route.params.includes('version') || route.params.includes('appVersion');
  const pairKind = route.url.startsWith('/v1/releases') ? 'releases' : route.url.startsWith('/v1/dashboard') ? 'models' : (route.url.split('/')[2] ?? '');
  const pairs = w.get(`${pairKind}:pair`);
  if (pair && pairs.length && r.chance(0.5)) {
    const [name, version] = r.pick(pairs).split('\n') as [string, string];
    params[route.params[0] as string] = name;
    params[route.params[1] as string] = version;
    how.push('params:existing-pair');
  }
  for (const p of route.params) params[p] ??= paramValue(r, route, p, w, how);
  let path = route.url.replace(/:([A-Za-z0-9_]+)|\*/g, (_m, name: string | undefined) => encodeSegment(r, params[name ?? '*'] ?? ''));
  if (route.slash && r.chance(0.5)) path += '/';

  const headers: Record<string, string> = { ...w.authHeaders(auth) };
  const epoch = epochHeader(r, route, auth, w, how);
  if (epoch !== undefined) headers[AGENT_EPOCH_HEADER] = epoch;
  if (route.idempotency ? r.chance(0.4) : r.chance(0.03)) {
    const key = r.weighted([
      [() => r.uuid(), 4],
      [() => (w.idempotencyKeys.length ? r.pick(w.idempotencyKeys) : 'k'), 3],
      [() => '', 1],
      [() => 'k'.repeat(201), 1],
      [() => nastyString(r).slice(0, 300), 1],
    ] as const)();
    if (w.idempotencyKeys.length < 50 && key.length > 0 && key.length <= 200) w.idempotencyKeys.push(key);
    headers['idempotency-key'] = key;
    how.push('idempotency-key');
  }
  if (r.chance(0.05)) headers['if-none-match'] = r.pick(['*', '"abc"', 'W/"x"', nastyString(r).slice(0, 200)]);
  if (r.chance(0.05)) {
    const [k, v] = r.pick([['accept', 'application/xml'], ['accept-encoding', 'gzip, br, zstd'], ['content-encoding', 'gzip'], ['x-forwarded-for', '::1, 999.1.1.1'], ['x-fuzz', nastyString(r).slice(0, 1000)], ['authorization', 'Bearer'], ['expect', '100-continue']] as const);
    headers[k] = v;
    how.push(`header:${k}`);
  }

  let body: FuzzBody | undefined;
  const takesJson = route.body !== null;
  const mode = r.weighted([
    ['multipart', route.multipart ? 8 : 0],
    ['schema', takesJson ? 11 : 0],
    ['random-json', takesJson || route.multipart ? 2 : 1],
    ['raw', takesJson || route.multipart ? 3 : 1],
    ['none', takesJson || route.multipart ? 2 : 16],
  ] as const);
  how.push(`body:${mode}`);
  if (mode === 'multipart') {
    const m = multipartBody(r, route.key, w, how);
    headers['content-type'] = multipartContentType(m);
    body = m;
  } else if (mode === 'schema') {
    const example = w.example(route.key, params, r.pick);
    if (example !== undefined && r.chance(0.5)) how.push('example');
    const start = how.includes('example') ? example : sampleSchema(r, route.body as Schema, w);
    let value = cohere(r, route, auth, params, shortPoll(route, start, r), w);
    const mutations = r.weighted([[0, 35], [1, 35], [2, 20], [3, 10]] as const);
    if (mutations) how.push(`mutations:${mutations}`);
    value = shortPoll(route, mutate(r, value, mutations), r);
    body = { kind: 'json', value };
  } else if (mode === 'random-json') {
    body = { kind: 'json', value: shortPoll(route, randomJson(r), r) };
  } else if (mode === 'raw') {
    body = { kind: 'raw', bytes: r.chance(0.003) ? Buffer.alloc(65 * 1024 * 1024, 'a') : rawGarbage(r, route, w) };
  }
  if (body && body.kind !== 'multipart') {
    headers['content-type'] = r.chance(takesJson ? 0.85 : 0.5) ? 'application/json' : r.pick(WRONG_CONTENT_TYPES);
    if (headers['content-type'] === '') delete headers['content-type'];
  } else if (!body && r.chance(0.3)) headers['content-type'] = r.pick(['application/json', ...WRONG_CONTENT_TYPES]);
  const huge = body?.kind === 'raw' && body.bytes.length > 64 * 1024 * 1024;
  const transport = !huge && r.chance(0.08) ? 'http' : 'inject';
  if (transport === 'http' && body && r.chance(0.3)) how.push('chunked');
  return { route: route.key, method: route.method, path, query: queryString(r, route, w, how), headers, body, transport, auth, how };
}

export { UPLOADS };
