import { join } from 'node:path';
import { buildZoo, defaultZooDir, ZOO_FILES } from '@edgeproof/model-zoo';
import { build } from 'esbuild';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { z } from 'zod';
import { startTestApi, type TestApi } from '../../../apps/api/test/helpers.ts';
import { ApiError, EdgeproofClient } from '../src/index.ts';
import { startGateway, type Gateway } from './support/gateway.ts';

let api: TestApi;
let gateway: Gateway;
let modelFile = '';
const fast = { retryDelayMs: 10, maxRetryDelayMs: 50 };

beforeAll(async () => {
  const zooDir = defaultZooDir();
  await buildZoo(zooDir);
  modelFile = join(zooDir, ZOO_FILES.mnistMlp);
  api = await startTestApi({}, { listen: true });
  gateway = await startGateway(api.url);
}, 180_000);
afterAll(async () => {
  await gateway?.close();
  await api?.close();
});
beforeEach(() => {
  gateway.seen.length = 0;
});

describe('EdgeproofClient against the real API', () => {
  it('uploads a model file from its path (idempotent), creates the model once, and reads typed, checked answers', async () => {
    const client = new EdgeproofClient(api.url, api.tokens.ci);
    const model = await client.ensureModel({ name: 'digits', taskKind: 'classification', owner: 'sdk' });
    expect(await client.ensureModel({ name: 'digits', taskKind: 'classification', owner: 'sdk' })).toEqual(model);
    const first = await client.uploadModelVersion('digits', modelFile, { version: '1.0.0' });
    expect(first).toMatchObject({ created: true, version: { model: 'digits', version: '1.0.0', format: 'onnx' } });
    const again = await client.uploadModelVersion('digits', modelFile, { version: '1.0.0' });
    expect(again).toEqual({ created: false, version: first.version });
    expect((await client.listVersions('digits')).map((v) => v.version)).toEqual(['1.0.0']);
    expect(await client.whoami()).toMatchObject({ role: 'ci' });
  });

  it("gives the API's error code, message and details as one ApiError", async () => {
    const client = new EdgeproofClient(api.url, api.tokens.viewer);
    const missing = await client.getModel('no-such-model').catch((e: unknown) => e);
    expect(missing).toBeInstanceOf(ApiError);
    expect(missing).toMatchObject({ status: 404, code: 'not_found', method: 'GET', path: '/v1/models/no-such-model' });
    expect((missing as ApiError).message).toContain('no-such-model');
    await expect(new EdgeproofClient(api.url, 'not-a-token').whoami()).rejects.toMatchObject({ status: 401, code: 'unauthorized' });
    const bad = await new EdgeproofClient(api.url, api.tokens.ci).createRun({ model: 'digits', version: '1.0.0', devices: {}, benchmarks: [] }).catch((e: unknown) => e);
    expect(bad).toMatchObject({ status: 400, code: 'bad_request', details: { fields: [expect.objectContaining({ field: expect.stringContaining('benchmarks') })] } });
  });

  it('an answer that does not match its schema is bad_response, naming the fields', async () => {
    const client = new EdgeproofClient(api.url, api.tokens.ci);
    const err = await client.http.call('GET', '/v1/whoami', z.object({ nope: z.string() })).catch((e: unknown) => e);
    expect(err).toMatchObject({ status: 200, code: 'bad_response', details: [expect.objectContaining({ path: ['nope'] })] });
  });
});

describe('through a failing gateway', () => {
  it("an HTML 502 is an ApiError bad_response (never a JSON syntax error); a GET is retried until the API answers", async () => {
    const client = new EdgeproofClient(gateway.url, api.tokens.ci, { ...fast, retries: 3 });
    gateway.script('html-502', 'html-502');
    expect(await client.getModel('digits')).toMatchObject({ name: 'digits' });
    expect(gateway.seen.map((s) => s.method)).toEqual(['GET', 'GET', 'GET']);

    gateway.script('html-502', 'html-502', 'html-502', 'html-502');
    const err = await client.getModel('digits').catch((e: unknown) => e);
    expect(err).toBeInstanceOf(ApiError);
    expect(err).toMatchObject({ status: 502, code: 'bad_response' });
    expect((err as ApiError).message).toMatch(/^GET \/v1\/models\/digits: HTTP 502 Bad Gateway with a text\/html body \("502 Bad Gateway 502 Bad Gateway nginx"\)/);
  });

  it('a POST without an Idempotency-Key is not repeated', async () => {
    const client = new EdgeproofClient(gateway.url, api.tokens.ci, fast);
    gateway.script('html-502');
    await expect(client.savePolicy('digits', { name: 'p', source: 'x' })).rejects.toMatchObject({ status: 502, code: 'bad_response' });
    expect(gateway.seen).toHaveLength(1);
  });

  it('a run whose answer was lost is retried with the same Idempotency-Key and created once', async () => {
    const client = new EdgeproofClient(gateway.url, api.tokens.ci, fast);
    const { app, auth } = api;
    await app.inject({ method: 'POST', url: '/v1/agents/register', headers: { authorization: `Bearer ${api.tokens.agent}` }, payload: { name: 'test-agent', devices: [{ localKey: 'host', platform: 'linux', driver: 'host', tier: 'mid', runtimes: ['onnxruntime-node'] }] } });
    gateway.script('forward-then-502');
    const run = await client.createRun({ model: 'digits', version: '1.0.0', devices: { tiers: ['mid'] }, benchmarks: ['latency'], settings: { dims: { batch: 1 } } });
    expect(gateway.seen).toHaveLength(2);
    expect(gateway.seen[0]?.idempotencyKey).toMatch(/^[0-9a-f-]{36}$/);
    expect(gateway.seen[1]?.idempotencyKey).toBe(gateway.seen[0]?.idempotencyKey);
    const runs = (await app.inject({ method: 'GET', url: '/v1/runs?model=digits', headers: auth('viewer') })).json<{ items: { id: string }[] }>();
    expect(runs.items.map((r) => r.id)).toEqual([run.id]);
  });

  it('an upload is retried (the same bytes under the same version are harmless); a hung API is request_timeout', async () => {
    const client = new EdgeproofClient(gateway.url, api.tokens.ci, { ...fast, timeoutMs: 300 });
    gateway.script('forward-then-502');
    expect(await client.uploadModelVersion('digits', modelFile, { version: '1.0.1' })).toMatchObject({ created: false, version: { version: '1.0.1' } });
    expect(gateway.seen).toHaveLength(2);

    gateway.script('hang', 'hang', 'hang', 'hang');
    const started = Date.now();
    await expect(client.whoami()).rejects.toMatchObject({ status: 0, code: 'request_timeout' });
    expect(Date.now() - started).toBeLessThan(5_000);
  });

  it('nothing listening is status 0 unreachable', async () => {
    await expect(new EdgeproofClient('http://127.0.0.1:9', api.tokens.ci, { ...fast, retries: 1 }).whoami()).rejects.toMatchObject({ status: 0, code: 'unreachable' });
  });
});

describe('the browser entry', () => {
  it('bundles for a browser: no Node built-in is reachable from it', async () => {
    const out = await build({ entryPoints: [join(import.meta.dirname, '../src/browser.ts')], bundle: true, platform: 'browser', format: 'esm', write: false, metafile: true, logLevel: 'silent' });
    const inputs = Object.keys(out.metafile.inputs);
    expect(inputs.some((i) => i.endsWith('packages/client/src/edgeproof.ts'))).toBe(true);
    expect(inputs.filter((i) => i.startsWith('node:') || i.includes('packages/client/src/node.ts') || i.includes('packages/client/src/agent.ts'))).toEqual([]);
  });
});
