import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { buildItemDetector, DETECTOR_FILE } from '@edgeproof/feature-zoo';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { modelForm, startTestApi, type TestApi } from '../../apps/api/test/helpers.ts';
import { diskForm, post, rowCounts, underLoad } from './support/uploads.ts';

const MB = 1024 * 1024;
const pins = JSON.stringify({ detector: { model: 'item-detector', version: '1.0.0' } });
const contract = 'export async function init() {}\nexport async function process() { return []; }\nexport function dispose() {}\n';

/** Shapes that made the old regex check quadratic: a blank-line run, and "export {" without a brace. */
const hostile: Record<string, string> = {
  newlines: '\n'.repeat(MB),
  'unclosed export braces': 'export {'.repeat(MB / 8),
  'whitespace before import': `${' \n'.repeat(MB / 2)}import`,
};

describe('hostile feature bundles', () => {
  let api: TestApi;
  let dir = '';
  beforeAll(async () => {
    api = await startTestApi({}, { listen: true });
    dir = await mkdtemp(join(tmpdir(), 'edgeproof-bundles-'));
    await post(api, '/v1/models', { name: 'item-detector', taskKind: 'detection', owner: 'o' });
    const up = await post(api, '/v1/models/item-detector/versions', modelForm(buildItemDetector().bytes, { version: '1.0.0' }, DETECTOR_FILE));
    expect(up.status).toBe(201);
  });
  afterAll(async () => {
    await api.close();
    await rm(dir, { recursive: true, force: true });
  });

  it.each(Object.keys(hostile))('refuses a 1 MB bundle of %s with 422 quickly, stores nothing, /health keeps answering', async (kind) => {
    const path = join(dir, `${kind.replace(/ /g, '-')}.js`);
    await writeFile(path, hostile[kind] as string);
    const rows = await rowCounts(api);
    const files = await api.storedFiles();
    const started = performance.now();
    const { result, health } = await underLoad(api, async () => post(api, '/v1/features', await diskForm({ name: 'hostile', version: '1', models: pins }, { file: path })));
    expect(performance.now() - started).toBeLessThan(5000);
    expect(result.status).toBe(422);
    expect(result.body.error?.code).toBe('unprocessable');
    expect(result.body.error?.message).toMatch(/^file: /);
    expect(result.body.error?.details).toEqual({ field: 'file' });
    expect(health.samples).toBeGreaterThan(3);
    expect(health.p99).toBeLessThan(100);
    expect(await rowCounts(api)).toEqual(rows);
    expect(await api.storedFiles()).toEqual(files);
  });

  it('accepts a 1 MB bundle that is mostly blank lines but keeps the contract, quickly', async () => {
    const path = join(dir, 'padded.js');
    await writeFile(path, `${'\n'.repeat(MB)}${contract}`);
    const { result, health } = await underLoad(api, async () => post(api, '/v1/features', await diskForm({ name: 'padded', version: '1', models: pins }, { file: path })));
    expect(result.status).toBe(201);
    expect(health.p99).toBeLessThan(100);
  });
});
