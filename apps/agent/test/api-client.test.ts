import { createHash, randomUUID } from 'node:crypto';
import { mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { ApiClient, ApiError } from '../src/api-client.ts';
import { ArtifactCache, ArtifactIntegrityError } from '../src/artifact-cache.ts';
import { startStandInApi, type StandInApi } from './support/stand-in-api.ts';

let api: StandInApi;
let client: ApiClient;
let dir: string;

const sha = (b: Buffer) => createHash('sha256').update(b).digest('hex');

beforeEach(async () => {
  api = await startStandInApi();
  client = new ApiClient({ baseUrl: `${api.url}/`, token: api.token });
  dir = await mkdtemp(join(tmpdir(), 'ep-agent-cache-'));
});
afterEach(async () => {
  await api.close();
  await rm(dir, { recursive: true, force: true });
});

describe('ApiClient', () => {
  it('registers and parses the reply', async () => {
    const reply = await client.register({
      name: 'lab-01',
      devices: [{ localKey: 'host', platform: 'linux', driver: 'host', tier: 'mid', tags: [], runtimes: ['onnxruntime-node'], attributes: {} }],
    });
    expect(reply.devices).toEqual([{ id: expect.any(String), localKey: 'host', queue: `device-${reply.devices[0]?.id}` }]);
    expect(reply.heartbeatIntervalMs).toBe(200);
  });

  it('turns error bodies into ApiError with status and code', async () => {
    const err = await client.heartbeat(randomUUID(), { devices: [] }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(ApiError);
    expect(err).toMatchObject({ status: 404, code: 'not_found' });
    expect((err as Error).message).toContain('no such agent');

    const bad = new ApiClient({ baseUrl: api.url, token: 'wrong' });
    await expect(bad.startJob(randomUUID(), { attempt: 1 })).rejects.toMatchObject({ status: 401, code: 'unauthorized' });
  });

  it('reports an unreachable API as status 0', async () => {
    await api.close();
    await expect(client.startJob(randomUUID(), { attempt: 1 })).rejects.toMatchObject({ status: 0, code: 'unreachable' });
    api = await startStandInApi();
  });

  it('tells a stored result (201) from an existing one (200)', async () => {
    const jobId = randomUUID();
    const body = {
      attempt: 1,
      summary: { kind: 'parity' as const, samples: 1, outputs: [], reference: { runtime: 'r', executionProvider: 'cpu', settings: '' } },
      rawSamples: [0],
      environment: {
        runtime: 'r', runtimeVersion: '1', executionProvider: 'cpu', threads: 1, graphOptimization: 'all',
        warmupMinRuns: 1, warmupMinSeconds: 0, measureMinRuns: 1, measureMinSeconds: 0, measureMaxRuns: 1,
        measureMaxSeconds: 1, inputSource: 'generated', inputSeed: 1, inputShapes: {}, thermalState: 'unavailable', os: 'x', cpu: 'y',
      },
    };
    expect(await client.postResult(jobId, body)).toEqual({ stored: true });
    api.onResult = () => 200;
    expect(await client.postResult(jobId, body)).toEqual({ stored: false });
  });
});

describe('ArtifactCache', () => {
  it('downloads once, verifies the hash, and serves later hits from disk', async () => {
    const bytes = Buffer.from('model bytes '.repeat(10_000));
    api.artifacts.set(sha(bytes), bytes);
    const cache = new ArtifactCache(dir, (s, dest) => client.downloadArtifact(s, dest));

    const [a, b] = await Promise.all([cache.get(sha(bytes)), cache.get(sha(bytes))]);
    expect(a).toBe(join(dir, sha(bytes)));
    expect(b).toBe(a);
    expect(await readFile(a)).toEqual(bytes);
    expect(await cache.get(sha(bytes))).toBe(a);
    expect(api.downloads).toEqual([sha(bytes)]);
  });

  it('downloads again when the cached file lost bytes', async () => {
    const bytes = Buffer.from('dataset bytes');
    api.artifacts.set(sha(bytes), bytes);
    const cache = new ArtifactCache(dir, (s, dest) => client.downloadArtifact(s, dest));
    const path = await cache.get(sha(bytes));
    await writeFile(path, 'dataset');
    expect(await readFile(await cache.get(sha(bytes)))).toEqual(bytes);
    expect(api.downloads).toHaveLength(2);
  });

  it('rejects bytes that do not match the sha256 and keeps nothing', async () => {
    const wanted = 'a'.repeat(64);
    api.artifacts.set(wanted, Buffer.from('something else'));
    const cache = new ArtifactCache(dir, (s, dest) => client.downloadArtifact(s, dest));
    await expect(cache.get(wanted)).rejects.toBeInstanceOf(ArtifactIntegrityError);
    expect(await readdir(dir)).toEqual([]);
  });

  it('passes on a missing artifact as a 404 ApiError and refuses non-sha names', async () => {
    const cache = new ArtifactCache(dir, (s, dest) => client.downloadArtifact(s, dest));
    await expect(cache.get('b'.repeat(64))).rejects.toMatchObject({ status: 404 });
    await expect(cache.get('../etc/passwd')).rejects.toThrow(/not a sha256/);
  });
});
