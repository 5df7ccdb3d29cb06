import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { createWriteStream } from 'node:fs';
import { once } from 'node:events';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DATASET_MAX_LINE_BYTES } from '@edgeproof/models';
import { generateScenario, MOT_MAX_LINE_BYTES, Y4M_MAX_DIMENSION } from '@edgeproof/scenes';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestApi, type TestApi } from '../../apps/api/test/helpers.ts';
import { diskForm, post, rowCounts, underLoad } from './support/uploads.ts';

const MB = 1024 * 1024;
const header = { format: 'edgeproof-dataset/v1', taskKind: 'classification', inputs: [{ name: 'x', elementType: 'float32', shape: [4] }], labels: ['a', 'b'] };

/** Writes `repeat` copies of `chunk` after `head`, without building the file in memory. */
async function writeLarge(path: string, head: string, chunk: string, repeat: number, tail = ''): Promise<void> {
  const out = createWriteStream(path);
  out.write(head);
  const block = chunk.repeat(Math.max(1, Math.floor(MB / chunk.length)));
  for (let written = 0; written < repeat * chunk.length; written += block.length) {
    if (!out.write(block)) await once(out, 'drain');
  }
  out.end(tail);
  await once(out, 'finish');
}

describe('hostile datasets, videos and ground truth', () => {
  let api: TestApi;
  let dir = '';
  const scene = generateScenario({ seed: 6, durationSeconds: 1, itemCount: 2, name: 'hostile', version: '1' });
  beforeAll(async () => {
    api = await startTestApi({ MAX_ARTIFACT_BYTES: 128 * MB }, { listen: true });
    dir = await mkdtemp(join(tmpdir(), 'edgeproof-hostile-data-'));
  });
  afterAll(async () => {
    await api.close();
    await rm(dir, { recursive: true, force: true });
  });

  /** Posts, checks the 422 and that no table and no file changed, and that /health kept answering. */
  async function refused(path: string, form: () => Promise<FormData>): Promise<{ code: string; message: string; details?: unknown }> {
    const rows = await rowCounts(api);
    const files = await api.storedFiles();
    const { result, health } = await underLoad(api, async () => post(api, path, await form()));
    expect(result.status, JSON.stringify(result.body)).toBe(422);
    expect(health.p99).toBeLessThan(100);
    expect(await rowCounts(api)).toEqual(rows);
    expect(await api.storedFiles()).toEqual(files);
    return result.body.error as { code: string; message: string };
  }

  it(`refuses a dataset with a ${DATASET_MAX_LINE_BYTES / MB + 8} MB line with 422 naming the line`, async () => {
    const path = join(dir, 'giant-line.jsonl');
    await writeLarge(path, `${JSON.stringify(header)}\n${JSON.stringify({ inputs: { x: [1, 2, 3, 4] }, label: 0 })}\n{"inputs":{"x":[`, '0,', (DATASET_MAX_LINE_BYTES + 8 * MB) / 2, '0]},"label":0}\n');
    const error = await refused('/v1/datasets', () => diskForm({ name: 'giant', version: '1' }, { file: path }));
    expect(error).toEqual({ code: 'invalid_dataset', message: `file: line 3: longer than ${DATASET_MAX_LINE_BYTES} bytes (the limit for one line)`, details: { line: 3 } });
  });

  const scenarioForm = (files: { video?: string; groundTruth?: string }) => async () => {
    const video = files.video ?? join(dir, 'good.y4m');
    const groundTruth = files.groundTruth ?? join(dir, 'good.txt');
    await writeFile(join(dir, 'good.y4m'), scene.video);
    await writeFile(join(dir, 'good.txt'), scene.groundTruthText);
    await writeFile(join(dir, 'scenario.json'), JSON.stringify(scene.manifest));
    return diskForm({}, { video, groundTruth, manifest: join(dir, 'scenario.json') });
  };

  it('refuses a Y4M header declaring huge dimensions before reading any frame', async () => {
    const path = join(dir, 'huge.y4m');
    // 2^40 x 2^40 would be a 1.6 EB frame; 40 MB of bytes follow to read (or not)
    await writeLarge(path, `YUV4MPEG2 W${2 ** 40} H${2 ** 40} F15:1 C420jpeg\nFRAME\n`, '\0', 40 * MB);
    const error = await refused('/v1/scenarios', scenarioForm({ video: path }));
    expect(error).toEqual({ code: 'unprocessable', message: `video: header: ${2 ** 40}x${2 ** 40} is larger than ${Y4M_MAX_DIMENSION}x${Y4M_MAX_DIMENSION}`, details: { field: 'video' } });
  });

  it('refuses a Y4M of 60 MB of frames too many, counting them without holding them', async () => {
    const frame = `FRAME\n${'A'.repeat(320 * 240 * 1.5)}`;
    const path = join(dir, 'long.y4m');
    await writeLarge(path, `YUV4MPEG2 W320 H240 F15:1 Ip A1:1 C420jpeg\n`, frame, 520);
    const error = await refused('/v1/scenarios', scenarioForm({ video: path }));
    expect(error.message).toMatch(/^video: has \d+ frames, the manifest says 15$/);
  });

  it('refuses hostile MOT text: one 20 MB line, and 1 MB of commas, naming line 1', async () => {
    const oneLine = join(dir, 'one-line.txt');
    await writeLarge(oneLine, '', '1234567890', 2 * MB);
    const long = await refused('/v1/scenarios', scenarioForm({ groundTruth: oneLine }));
    expect(long).toEqual({ code: 'unprocessable', message: `groundTruth: line 1: longer than ${MOT_MAX_LINE_BYTES} bytes`, details: { field: 'groundTruth', line: 1 } });
    const commas = join(dir, 'commas.txt');
    await writeLarge(commas, '', ',', MB, '\n');
    expect((await refused('/v1/scenarios', scenarioForm({ groundTruth: commas }))).details).toEqual({ field: 'groundTruth', line: 1 });
  });

  it('refuses MOT text with one box repeated 500,000 times at the first duplicate', async () => {
    const path = join(dir, 'dupes.txt');
    await writeLarge(path, '', '1,1,0,0,10,10,1,1,1\n', 500_000);
    const error = await refused('/v1/scenarios', scenarioForm({ groundTruth: path }));
    expect(error.message).toBe('groundTruth: line 2: id 1 appears twice in frame 1');
  });
});
