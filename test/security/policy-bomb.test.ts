import { readFile } from 'node:fs/promises';
import { thirdPartyModels } from '@edgeproof/testkit';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { modelForm, startTestApi, type TestApi } from '../../apps/api/test/helpers.ts';
import { post, rowCounts, underLoad } from './support/uploads.ts';

/** Nine aliases per level, six levels: 9^6 = 531,441 strings if expanded (a "billion laughs"). */
const ALIAS_BOMB = [
  'version: 1',
  'a: &a ["lol","lol","lol","lol","lol","lol","lol","lol","lol"]',
  ...['b', 'c', 'd', 'e', 'f'].map((k, i) => `${k}: &${k} [${Array(9).fill(`*${'abcde'[i]}`).join(',')}]`),
  'rules: [*f]',
].join('\n');

describe('hostile policies', () => {
  let api: TestApi;
  beforeAll(async () => {
    api = await startTestApi({}, { listen: true });
    expect((await post(api, '/v1/models', { name: 'gated', taskKind: 'classification', owner: 'o' })).status).toBe(201);
    const onnx = await readFile(thirdPartyModels.ocrDirectionClassifier);
    expect((await post(api, '/v1/models/gated/versions', modelForm(onnx, { version: '1.0.0' }))).status).toBe(201);
  });
  afterAll(() => api.close());

  const counts = async () => ({ ...(await rowCounts(api)), gateEvaluation: await api.app.db.gateEvaluation.count() });

  it('answers a YAML alias bomb with 400 naming the field, stores nothing, /health keeps answering', async () => {
    const before = await counts();
    const files = await api.storedFiles();
    const { result: stored, health } = await underLoad(api, () => post(api, '/v1/models/gated/policies', { name: 'bomb', source: ALIAS_BOMB }));
    expect(stored.status).toBe(400);
    expect(stored.body.error?.code).toBe('bad_request');
    expect(stored.body.error?.message).toMatch(/^body\.source: bomb: YAML: more than 100 alias expansions/);
    expect(health.p99).toBeLessThan(100);

    const inline = await post(api, '/v1/gates', { model: 'gated', version: '1.0.0', policy: { source: ALIAS_BOMB, file: 'bomb.yaml' } }, 'ci');
    expect(inline.status).toBe(400);
    expect(inline.body.error?.message).toMatch(/^body\.policy: bomb\.yaml: YAML: more than 100 alias expansions/);
    expect(await counts()).toEqual(before);
    expect(await api.storedFiles()).toEqual(files);
  });

  it('refuses a policy source over the size limit with 400 before parsing it', async () => {
    const before = await counts();
    const source = `version: 1\nrules:\n${'  - {type: threshold, metric: latency.p90, max: 5ms}\n'.repeat(400)}`;
    const res = await post(api, '/v1/models/gated/policies', { name: 'huge', source });
    expect(res.status).toBe(400);
    expect(res.body.error?.message).toMatch(/^body\.source: huge: policy is \d+ characters, longer than the limit of 16384/);
    expect(await counts()).toEqual(before);
  });
});
