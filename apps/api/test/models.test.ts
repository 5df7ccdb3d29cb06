import { readFile } from 'node:fs/promises';
import { thirdPartyModels } from '@edgeproof/testkit';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { modelForm, startTestApi, type TestApi } from './helpers.ts';

const clsModelPath = thirdPartyModels.ocrDirectionClassifier;
const PNG = Buffer.from('89504e470d0a1a0a0000000d4948445200000001000000010806000000', 'hex');

describe('models API', () => {
  let api: TestApi;
  let onnx: Buffer;

  beforeAll(async () => {
    api = await startTestApi({ MAX_ARTIFACT_BYTES: 2 * 1024 * 1024 });
    onnx = await readFile(clsModelPath);
    const res = await api.app.inject({
      method: 'POST',
      url: '/v1/models',
      headers: api.auth('ml_engineer'),
      payload: { name: 'ocr-cls', taskKind: 'classification', owner: 'vision-team' },
    });
    expect(res.statusCode).toBe(201);
  });
  afterAll(() => api.close());

  const upload = (bytes: Uint8Array, fields: Record<string, string>, role: 'ml_engineer' | 'agent' | 'ci' = 'ml_engineer') =>
    api.app.inject({ method: 'POST', url: '/v1/models/ocr-cls/versions', headers: api.auth(role), payload: modelForm(bytes, fields) });

  const versionCount = () => api.app.db.modelVersion.count();

  it('stores a real ONNX model with its signature, sizes and hash', async () => {
    const res = await upload(onnx, { version: '1.0.0', gitCommit: 'abc1234' });
    expect(res.statusCode).toBe(201);
    const body = res.json();
    expect(body.sizeBytes).toBe(onnx.length);
    expect(body.gzipSizeBytes).toBeGreaterThan(0);
    expect(body.gzipSizeBytes).toBeLessThan(onnx.length);
    expect(body.format).toBe('onnx');
    expect(body.signature.inputs[0].name).toBe('x');
    expect(body.signature.inputs[0].elementType).toBe('float32');
    expect(body.signature.inputs[0].shape.length).toBe(4);
    expect(body.sha256).toMatch(/^[0-9a-f]{64}$/);

    const download = await api.app.inject({ method: 'GET', url: '/v1/models/ocr-cls/versions/1.0.0/download', headers: api.auth('viewer') });
    expect(download.statusCode).toBe(200);
    expect(Buffer.compare(download.rawPayload, onnx)).toBe(0);
  });

  it('is idempotent for the same bytes and refuses different bytes under the same version', async () => {
    const stored = await api.storedFiles();
    const again = await upload(onnx, { version: '1.0.0' });
    expect(again.statusCode).toBe(200);
    // the second copy of the bytes is not kept anywhere, not even in staging
    expect(await api.storedFiles()).toEqual(stored);
    const changed = Buffer.from(onnx);
    changed[changed.length - 1] = (changed[changed.length - 1] ?? 0) ^ 0xff;
    const before = await api.storedFiles();
    const conflict = await upload(changed, { version: '1.0.0' });
    expect(conflict.statusCode).toBe(409);
    expect(conflict.json().error.code).toBe('conflict');
    expect(await api.storedFiles()).toEqual(before);
  });

  it('rejects a PNG with 422 and keeps no row and no file', async () => {
    const files = await api.storedFiles();
    const rows = await versionCount();
    const res = await upload(PNG, { version: 'png' });
    expect(res.statusCode).toBe(422);
    expect(res.json().error.code).toBe('invalid_model');
    expect(res.json().error.message).toMatch(/PNG/);
    expect(await versionCount()).toBe(rows);
    expect(await api.storedFiles()).toEqual(files);
  });

  it('rejects a truncated ONNX file with 422', async () => {
    const files = await api.storedFiles();
    const res = await upload(onnx.subarray(0, Math.floor(onnx.length / 2)), { version: 'truncated' });
    expect(res.statusCode).toBe(422);
    expect(res.json().error.code).toBe('invalid_model');
    expect(await api.storedFiles()).toEqual(files);
  });

  it('answers 413 from Content-Length before reading, and while streaming otherwise', async () => {
    const files = await api.storedFiles();
    const declared = await api.app.inject({
      method: 'POST',
      url: '/v1/models/ocr-cls/versions',
      headers: { ...api.auth('ml_engineer'), 'content-type': 'multipart/form-data; boundary=x', 'content-length': String(10 * 1024 * 1024) },
      payload: '--x--',
    });
    expect(declared.statusCode).toBe(413);
    expect(declared.json().error.code).toBe('payload_too_large');
    // just over the limit, but within the multipart slack: caught while streaming
    const big = Buffer.alloc(2 * 1024 * 1024 + 10, 7);
    const streamed = await upload(big, { version: 'big' });
    expect(streamed.statusCode).toBe(413);
    expect(await api.storedFiles()).toEqual(files);
    expect(await versionCount()).toBe(1);
  });

  it('validates fields, names them, and enforces roles and tokens', async () => {
    const badVersion = await upload(onnx, { version: 'has space' });
    expect(badVersion.statusCode).toBe(400);
    expect(badVersion.json().error.message).toMatch(/body\.version/);
    const unknownField = await upload(onnx, { version: '2.0.0', colour: 'red' });
    expect(unknownField.statusCode).toBe(400);
    expect(unknownField.json().error.message).toMatch(/colour/);
    expect((await upload(onnx, { version: '2.0.0' }, 'agent')).statusCode).toBe(403);
    const noToken = await api.app.inject({ method: 'GET', url: '/v1/models' });
    expect(noToken.statusCode).toBe(401);
    expect(noToken.json().error.code).toBe('unauthorized');
    const missing = await api.app.inject({ method: 'GET', url: '/v1/models/nope', headers: api.auth('viewer') });
    expect(missing.statusCode).toBe(404);
    expect(await versionCount()).toBe(1);
  });

  it('answers malformed JSON and unknown fields with 400 naming the problem', async () => {
    const malformed = await api.app.inject({
      method: 'POST',
      url: '/v1/models',
      headers: { ...api.auth('ml_engineer'), 'content-type': 'application/json' },
      payload: '{"name": "x",',
    });
    expect(malformed.statusCode).toBe(400);
    expect(malformed.json().error.code).toBe('bad_request');
    const unknown = await api.app.inject({
      method: 'POST',
      url: '/v1/models',
      headers: api.auth('ml_engineer'),
      payload: { name: 'x', taskKind: 'classification', owner: 'o', flavour: 'vanilla' },
    });
    expect(unknown.statusCode).toBe(400);
    expect(unknown.json().error.message).toMatch(/flavour/);
    const wrongEnum = await api.app.inject({
      method: 'POST',
      url: '/v1/models',
      headers: api.auth('ml_engineer'),
      payload: { name: 'x', taskKind: 'segmentation', owner: 'o' },
    });
    expect(wrongEnum.statusCode).toBe(400);
    expect(wrongEnum.json().error.message).toMatch(/body\.taskKind/);
    expect(await api.app.db.model.count()).toBe(1);
  });

  it('lists models and versions in pages', async () => {
    for (const name of ['a-model', 'b-model']) {
      await api.app.inject({ method: 'POST', url: '/v1/models', headers: api.auth('ml_engineer'), payload: { name, taskKind: 'other', owner: 'o' } });
    }
    const first = await api.app.inject({ method: 'GET', url: '/v1/models?limit=2', headers: api.auth('viewer') });
    expect(first.json().items).toHaveLength(2);
    expect(first.json().nextCursor).not.toBeNull();
    const second = await api.app.inject({ method: 'GET', url: `/v1/models?limit=2&cursor=${first.json().nextCursor}`, headers: api.auth('viewer') });
    expect(second.json().items).toHaveLength(1);
    expect(second.json().nextCursor).toBeNull();
    const versions = await api.app.inject({ method: 'GET', url: '/v1/models/ocr-cls/versions', headers: api.auth('viewer') });
    expect(versions.json().items.map((v: { version: string }) => v.version)).toEqual(['1.0.0']);
  });

  it('serves health, readiness and the OpenAPI document', async () => {
    expect((await api.app.inject({ method: 'GET', url: '/health' })).statusCode).toBe(200);
    const ready = await api.app.inject({ method: 'GET', url: '/ready' });
    expect(ready.json()).toMatchObject({ status: 'ok', postgres: 'ok', redis: 'ok' });
    const doc = await api.app.inject({ method: 'GET', url: '/docs/json' });
    expect(doc.statusCode).toBe(200);
    expect(Object.keys(doc.json().paths)).toContain('/v1/runs');
  });
});
