import { readFile } from 'node:fs/promises';
import { generateScenario } from '@edgeproof/scenes';
import { thirdPartyModels } from '@edgeproof/testkit';
import Fastify from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { registerErrorHandler } from '../../apps/api/src/errors.ts';
import { modelForm, startTestApi, type TestApi } from '../../apps/api/test/helpers.ts';
import { post, rowCounts } from './support/uploads.ts';

const RACERS = 8;

describe('racing uploads and unique keys', () => {
  let api: TestApi;
  let onnx: Buffer;
  beforeAll(async () => {
    api = await startTestApi({}, { listen: true });
    onnx = await readFile(thirdPartyModels.ocrDirectionClassifier);
    expect((await post(api, '/v1/models', { name: 'raced', taskKind: 'classification', owner: 'o' })).status).toBe(201);
  });
  afterAll(() => api.close());

  const blobs = async () => (await api.storedFiles()).filter((f) => f.includes('/blobs/'));
  const staging = async () => (await api.storedFiles()).filter((f) => f.includes('/staging/'));
  const race = <T>(n: number, one: (i: number) => Promise<T>) => Promise.all(Array.from({ length: n }, (_, i) => one(i)));
  /** Every row that points at a blob finds it, and the store holds nothing else. */
  async function everyRowHasItsBlob() {
    const shas = [
      ...(await api.app.db.modelVersion.findMany()).map((v) => v.sha256),
      ...(await api.app.db.dataset.findMany()).map((d) => d.sha256),
      ...(await api.app.db.scenario.findMany()).flatMap((s) => [s.videoSha256, s.groundTruthSha256]),
    ];
    for (const sha of shas) expect(await api.app.artifacts.exists(sha), sha).toBe(true);
    expect((await blobs()).map((f) => f.split('/').pop()).sort()).toEqual([...new Set(shas)].sort());
    expect(await staging()).toEqual([]);
  }

  it(`${RACERS} identical uploads of one version: one 201, the rest 200 with the same row, one blob`, async () => {
    const answers = await race(RACERS, () => post(api, '/v1/models/raced/versions', modelForm(onnx, { version: '1.0.0' })));
    expect(answers.map((a) => a.status).sort()).toEqual([200, 200, 200, 200, 200, 200, 200, 201]);
    expect(new Set(answers.map((a) => a.body.id)).size).toBe(1);
    expect(await api.app.db.modelVersion.count()).toBe(1);
    expect(await blobs()).toHaveLength(1);
    await everyRowHasItsBlob();
  });

  it(`${RACERS} versions with the same bytes, all at once: all 201, still one blob`, async () => {
    const answers = await race(RACERS, (i) => post(api, '/v1/models/raced/versions', modelForm(onnx, { version: `2.0.${i}` })));
    expect(answers.map((a) => a.status)).toEqual(Array(RACERS).fill(201));
    expect(await api.app.db.modelVersion.count()).toBe(RACERS + 1);
    expect(await blobs()).toHaveLength(1);
    await everyRowHasItsBlob();
  });

  it('identical and conflicting uploads mixed: same bytes 201/200, other bytes 409, nothing lost', async () => {
    // the same model with an unknown field 99 appended: valid, other bytes
    const other = Buffer.concat([onnx, Buffer.from([0x98, 0x06, 0x01])]);
    const answers = await race(RACERS, (i) => post(api, '/v1/models/raced/versions', modelForm(i % 2 ? other : onnx, { version: '3.0.0' })));
    const statuses = answers.map((a) => a.status);
    expect(statuses.filter((s) => s === 201)).toHaveLength(1);
    expect(statuses.every((s) => s === 200 || s === 201 || s === 409)).toBe(true);
    const winner = answers.find((a) => a.status === 201)?.body.sha256;
    for (const a of answers) expect(a.status === 409 ? a.body.error?.code : a.body.sha256).toBe(a.status === 409 ? 'conflict' : winner);
    await everyRowHasItsBlob();
  });

  it('identical datasets and scenarios racing: one row each, every blob present', async () => {
    const header = { format: 'edgeproof-dataset/v1', taskKind: 'classification', inputs: [{ name: 'x', elementType: 'float32', shape: [2] }], labels: ['a', 'b'] };
    const data = Buffer.from(`${JSON.stringify(header)}\n${JSON.stringify({ inputs: { x: [1, 2] }, label: 1 })}\n`);
    const datasets = await race(RACERS, () => post(api, '/v1/datasets', modelForm(data, { name: 'raced', version: '1' }, 'd.jsonl')));
    expect(datasets.map((a) => a.status).sort()).toEqual([200, 200, 200, 200, 200, 200, 200, 201]);
    const scene = generateScenario({ seed: 4, durationSeconds: 1, itemCount: 2, name: 'raced', version: '1' });
    const scenarioForm = () => {
      const form = new FormData();
      form.append('video', new Blob([scene.video]), 'video.y4m');
      form.append('groundTruth', new Blob([scene.groundTruthText]), 'gt.txt');
      form.append('manifest', new Blob([JSON.stringify(scene.manifest)]), 'scenario.json');
      return form;
    };
    const scenarios = await race(4, () => post(api, '/v1/scenarios', scenarioForm()));
    expect(scenarios.map((a) => a.status).sort()).toEqual([200, 200, 200, 201]);
    expect(await api.app.db.scenario.count()).toBe(1);
    await everyRowHasItsBlob();
  });

  it(`${RACERS} concurrent POST /v1/models with one name: one 201, the rest 409 conflict, never 500`, async () => {
    const before = await rowCounts(api);
    const answers = await race(RACERS, () => post(api, '/v1/models', { name: 'twin', taskKind: 'other', owner: 'o' }));
    expect(answers.map((a) => a.status).sort()).toEqual([201, 409, 409, 409, 409, 409, 409, 409]);
    for (const a of answers.filter((x) => x.status === 409)) expect(a.body.error).toMatchObject({ code: 'conflict', message: 'model twin already exists' });
    expect(await rowCounts(api)).toEqual({ ...before, model: before.model + 1 });
  });

  it('identical release manifests racing: one 201, the rest 200', async () => {
    const put = () =>
      fetch(`${api.url}/v1/releases/shop-app/1.0.0`, {
        method: 'PUT',
        headers: { ...api.auth('ci'), 'content-type': 'application/json' },
        body: JSON.stringify({ models: [{ name: 'raced', version: '1.0.0' }] }),
      }).then((r) => r.status);
    expect((await race(RACERS, put)).sort()).toEqual([200, 200, 200, 200, 200, 200, 200, 201]);
  });

  it('maps any other unique-constraint failure to 409 conflict with a message, never 500', async () => {
    // a route with no handling of its own, throwing Prisma's real P2002
    const bare = Fastify();
    registerErrorHandler(bare);
    bare.post('/dup', () => api.app.db.model.create({ data: { name: 'raced', taskKind: 'other', owner: 'o', createdBy: 'test', description: null } }));
    const res = await bare.inject({ method: 'POST', url: '/dup' });
    await bare.close();
    expect(res.statusCode).toBe(409);
    expect(res.json()).toEqual({ error: { code: 'conflict', message: 'a model with the same name already exists (created by a concurrent request)', details: { fields: ['name'] } } });
  });
});
