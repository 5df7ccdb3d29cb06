import { readFile, writeFile } from 'node:fs/promises';
import { thirdPartyModels } from '@edgeproof/testkit';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { modelForm, startTestApi, type TestApi } from './helpers.ts';

const header = {
  format: 'edgeproof-dataset/v1',
  taskKind: 'classification',
  inputs: [{ name: 'x', elementType: 'float32', shape: [1, 4] }],
  labels: ['cat', 'dog'],
};
const jsonl = (...lines: object[]) => Buffer.from(`${lines.map((l) => JSON.stringify(l)).join('\n')}\n`);
const good = jsonl(header, { inputs: { x: [0, 1, 2, 3] }, label: 0 }, { inputs: { x: [3, 2, 1, 0] }, label: 1 });

describe('datasets API and artifact integrity', () => {
  let api: TestApi;
  beforeAll(async () => {
    api = await startTestApi();
  });
  afterAll(() => api.close());

  const upload = (bytes: Uint8Array, fields: Record<string, string>) =>
    api.app.inject({ method: 'POST', url: '/v1/datasets', headers: api.auth('ml_engineer'), payload: modelForm(bytes, fields, 'data.jsonl') });

  it('stores a labelled dataset with its header and sample count, idempotently', async () => {
    const res = await upload(good, { name: 'pets', version: '1' });
    expect(res.statusCode).toBe(201);
    expect(res.json()).toMatchObject({ name: 'pets', version: '1', sampleCount: 2, taskKind: 'classification', header: { labels: ['cat', 'dog'] } });
    expect((await upload(good, { name: 'pets', version: '1' })).statusCode).toBe(200);
    const other = jsonl(header, { inputs: { x: [9, 9, 9, 9] }, label: 1 });
    expect((await upload(other, { name: 'pets', version: '1' })).statusCode).toBe(409);
    const got = await api.app.inject({ method: 'GET', url: '/v1/datasets/pets/versions/1', headers: api.auth('viewer') });
    expect(got.json().sha256).toBe(res.json().sha256);
    const list = await api.app.inject({ method: 'GET', url: '/v1/datasets', headers: api.auth('viewer') });
    expect(list.json().items).toHaveLength(1);
  });

  it('rejects a malformed dataset with 422 naming the line, and stores nothing', async () => {
    const files = await api.storedFiles();
    const bad = jsonl(header, { inputs: { x: [0, 1, 2, 3] }, label: 0 }, { inputs: { x: [0, 1, 2] }, label: 0 });
    const res = await upload(bad, { name: 'broken', version: '1' });
    expect(res.statusCode).toBe(422);
    expect(res.json().error.code).toBe('invalid_dataset');
    expect(res.json().error.message).toMatch(/line 3/);
    expect(res.json().error.details).toEqual({ line: 3 });
    expect(await api.app.db.dataset.count({ where: { name: 'broken' } })).toBe(0);
    expect(await api.storedFiles()).toEqual(files);
  });

  it('recognises TFLite files and stores them with format tflite', async () => {
    await api.app.inject({ method: 'POST', url: '/v1/models', headers: api.auth('ml_engineer'), payload: { name: 'lite', taskKind: 'other', owner: 'o' } });
    const tflite = await readFile(thirdPartyModels.faceDetectionShortRange);
    const res = await api.app.inject({ method: 'POST', url: '/v1/models/lite/versions', headers: api.auth('ml_engineer'), payload: modelForm(tflite, { version: '1' }, 'm.tflite') });
    expect(res.statusCode).toBe(201);
    expect(res.json().format).toBe('tflite');
  });

  it('refuses to serve an artifact whose bytes no longer match its hash', async () => {
    const version = (await api.app.inject({ method: 'GET', url: '/v1/models/lite/versions/1', headers: api.auth('viewer') })).json();
    const path = api.app.artifacts.blobPath(version.sha256);
    const bytes = await readFile(path);
    bytes[10] = (bytes[10] ?? 0) ^ 0xff;
    await writeFile(path, bytes);
    // admins read any artifact; an agent only those its unfinished jobs read
    const res = await api.app.inject({ method: 'GET', url: `/v1/artifacts/${version.sha256}`, headers: api.auth('admin') });
    expect(res.statusCode).toBe(500);
    expect(res.json().error.message).toMatch(/integrity/);
    const viewer = await api.app.inject({ method: 'GET', url: `/v1/artifacts/${version.sha256}`, headers: api.auth('viewer') });
    expect(viewer.statusCode).toBe(403);
  });
});
