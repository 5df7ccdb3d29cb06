import { buildItemDetector, DETECTOR_FILE } from '@edgeproof/feature-zoo';
import { deviceQueueName } from '@edgeproof/queue';
import { generateScenario } from '@edgeproof/scenes';
import { Queue } from 'bullmq';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { modelForm, startTestApi, TEST_AGENT, type TestApi } from './helpers.ts';

const scene = generateScenario({ seed: 3, durationSeconds: 1, itemCount: 2, name: 'shelf', version: '1' });
const bundle = Buffer.from('const s = 1;\nasync function a() {}\nasync function b() { return []; }\nfunction c() {}\nexport { a as init, b as process, c as dispose };\n');
const pins = JSON.stringify({ detector: { model: 'item-detector', version: '1.0.0' } });

function scenarioForm(files: { video?: Uint8Array; groundTruth?: string; manifest?: unknown }): FormData {
  const form = new FormData();
  if (files.video) form.append('video', new Blob([files.video]), 'video.y4m');
  if (files.groundTruth !== undefined) form.append('groundTruth', new Blob([files.groundTruth]), 'gt.txt');
  if (files.manifest !== undefined) form.append('manifest', new Blob([JSON.stringify(files.manifest)]), 'scenario.json');
  return form;
}

describe('feature builds, scenarios and feature runs', () => {
  let api: TestApi;
  let browserId = '';
  let hostId = '';
  const queues: Queue[] = [];
  const postScenario = (files: Parameters<typeof scenarioForm>[0]) =>
    api.app.inject({ method: 'POST', url: '/v1/scenarios', headers: api.auth('ci'), payload: scenarioForm(files) });
  const postFeature = (bytes: Uint8Array, fields: Record<string, string>) =>
    api.app.inject({ method: 'POST', url: '/v1/features', headers: api.auth('ci'), payload: modelForm(bytes, fields, 'feature.js') });
  const nothingStored = async (before: string[]) => {
    expect(await api.storedFiles()).toEqual(before);
    expect(await api.app.db.scenario.count()).toBeLessThanOrEqual(1);
  };

  beforeAll(async () => {
    api = await startTestApi();
    await api.app.inject({ method: 'POST', url: '/v1/models', headers: api.auth('ci'), payload: { name: 'item-detector', taskKind: 'detection', owner: 'o' } });
    const up = await api.app.inject({
      method: 'POST',
      url: '/v1/models/item-detector/versions',
      headers: api.auth('ci'),
      payload: modelForm(buildItemDetector().bytes, { version: '1.0.0' }, DETECTOR_FILE),
    });
    expect(up.statusCode).toBe(201);
    const reg = await api.app.inject({
      method: 'POST',
      url: '/v1/agents/register',
      headers: api.auth('agent'),
      payload: {
        name: TEST_AGENT,
        devices: [
          { localKey: 'browser-1', platform: 'browser', driver: 'browser', tier: 'mid', runtimes: ['onnxruntime-web/wasm'] },
          { localKey: 'host', platform: 'linux', driver: 'host', tier: 'mid', runtimes: ['onnxruntime-node'] },
        ],
      },
    });
    [browserId, hostId] = reg.json().devices.map((d: { id: string }) => d.id);
  });
  afterAll(async () => {
    for (const q of queues) {
      await q.obliterate({ force: true });
      await q.close();
    }
    await api.close();
  });

  it('stores a scenario (video + MOT ground truth + manifest) versioned by its manifest, idempotently', async () => {
    const res = await postScenario({ video: scene.video, groundTruth: scene.groundTruthText, manifest: scene.manifest });
    expect(res.statusCode).toBe(201);
    expect(res.json()).toMatchObject({ name: 'shelf', version: '1', fps: 15, width: 320, height: 240, frameCount: 15, groundTruthBoxes: scene.groundTruth.length });
    const again = await postScenario({ video: scene.video, groundTruth: scene.groundTruthText, manifest: scene.manifest });
    expect(again.statusCode).toBe(200);
    const [first = '', ...rest] = scene.groundTruthText.split('\n');
    const cells = first.split(',');
    cells[2] = String(Number(cells[2]) + 1);
    const changed = [cells.join(','), ...rest].join('\n');
    expect((await postScenario({ video: scene.video, groundTruth: changed, manifest: scene.manifest })).statusCode).toBe(409);
    const got = await api.app.inject({ method: 'GET', url: '/v1/scenarios/shelf/versions/1', headers: api.auth('viewer') });
    expect(got.json().videoSha256).toBe(res.json().videoSha256);
  });

  it('rejects a malformed ground-truth line with 422 naming the line, and stores nothing', async () => {
    const before = await api.storedFiles();
    const lines = scene.groundTruthText.split('\n');
    lines[4] = '5,1,10,10,abc,20,1,1,1';
    const res = await postScenario({ video: scene.video, groundTruth: lines.join('\n'), manifest: { ...scene.manifest, name: 'bad-gt' } });
    expect(res.statusCode).toBe(422);
    expect(res.json().error.message).toMatch(/^groundTruth: line 5: w is not a number/);
    expect(res.json().error.details).toEqual({ field: 'groundTruth', line: 5 });
    expect(await api.app.db.scenario.count({ where: { name: 'bad-gt' } })).toBe(0);
    await nothingStored(before);
  });

  it('rejects a video whose frame count differs from the manifest, and a missing file', async () => {
    const before = await api.storedFiles();
    const res = await postScenario({ video: scene.video, groundTruth: scene.groundTruthText, manifest: { ...scene.manifest, name: 'short', frameCount: 16 } });
    expect(res.statusCode).toBe(422);
    expect(res.json().error.message).toBe('video: has 15 frames, the manifest says 16');
    const missing = await postScenario({ video: scene.video, manifest: scene.manifest });
    expect(missing.statusCode).toBe(400);
    expect(missing.json().error.message).toMatch(/^body\.groundTruth/);
    await nothingStored(before);
  });

  it('stores a web feature build with its models pinned by version, and rejects bad builds', async () => {
    const before = await api.storedFiles();
    const noExports = await postFeature(Buffer.from('export function init() {}\n'), { name: 'item-finder', version: '1', models: pins });
    expect(noExports.statusCode).toBe(422);
    expect(noExports.json().error.message).toMatch(/process\(\), dispose\(\)/);
    const unknownModel = await postFeature(bundle, { name: 'item-finder', version: '1', models: JSON.stringify({ detector: { model: 'item-detector', version: '9' } }) });
    expect(unknownModel.statusCode).toBe(422);
    expect(unknownModel.json().error.message).toMatch(/^models\.detector: model item-detector has no version 9/);
    const notApk = await postFeature(bundle, { name: 'item-finder-android', version: '1', platform: 'android', models: pins });
    expect(notApk.statusCode).toBe(422);
    expect((await postFeature(bundle, { name: 'item-finder', version: '1', models: '{' })).statusCode).toBe(400);
    expect(await api.storedFiles()).toEqual(before);
    expect(await api.app.db.featureBuild.count()).toBe(0);

    const ok = await postFeature(bundle, { name: 'item-finder', version: '1', models: pins });
    expect(ok.statusCode).toBe(201);
    expect(ok.json()).toMatchObject({ platform: 'web', models: [{ key: 'detector', model: 'item-detector', version: '1.0.0' }] });
    expect((await postFeature(bundle, { name: 'item-finder', version: '1', models: pins })).statusCode).toBe(200);
    expect((await postFeature(Buffer.concat([bundle, Buffer.from('\n')]), { name: 'item-finder', version: '1', models: pins })).statusCode).toBe(409);
    const dl = await api.app.inject({ method: 'GET', url: '/v1/features/item-finder/versions/1/download', headers: api.auth('viewer') });
    expect(dl.body).toBe(bundle.toString());
  });

  it('plans a feature run on the devices that run the build, with feature and scenario in the job payload', async () => {
    const run = (body: object) => api.app.inject({ method: 'POST', url: '/v1/runs', headers: api.auth('ci'), payload: body });
    const base = { model: 'item-detector', version: '1.0.0', benchmarks: ['feature'], devices: { ids: [browserId, hostId] } };
    expect((await run(base)).json().error.message).toMatch(/^feature: required/);
    expect((await run({ ...base, feature: { name: 'item-finder', version: '1' } })).json().error.message).toMatch(/^scenario: required/);
    expect((await run({ ...base, feature: { name: 'item-finder', version: '2' }, scenario: { name: 'shelf', version: '1' } })).statusCode).toBe(404);
    const onHost = await run({ ...base, devices: { ids: [hostId] }, feature: { name: 'item-finder', version: '1' }, scenario: { name: 'shelf', version: '1' } });
    expect(onHost.statusCode).toBe(422);
    const res = await run({ ...base, feature: { name: 'item-finder', version: '1' }, scenario: { name: 'shelf', version: '1' }, settings: { feature: { processEveryK: 2 } } });
    expect(res.statusCode).toBe(201);
    const body = res.json();
    expect(body).toMatchObject({ feature: { name: 'item-finder', version: '1' }, scenario: { name: 'shelf', version: '1' } });
    expect(body.settings.feature).toMatchObject({ processEveryK: 2, detectionInterval: 1, iouThreshold: 0.5 });
    expect(body.jobs).toHaveLength(1);
    expect(body.jobs[0]).toMatchObject({ benchmark: 'feature', device: { id: browserId } });
    const q = new Queue(deviceQueueName(browserId), { connection: { url: api.redisUrl }, prefix: api.queuePrefix });
    queues.push(q);
    const job = await q.getJob(body.jobs[0].id);
    expect(job?.data.feature).toMatchObject({ name: 'item-finder', platform: 'web', models: [{ key: 'detector', name: 'item-detector', format: 'onnx' }] });
    expect(job?.data.scenario).toMatchObject({ manifest: { name: 'shelf', frameCount: 15 }, videoSha256: expect.stringMatching(/^[0-9a-f]{64}$/) });
  });
});
