import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestApi, type TestApi } from '../../apps/api/test/helpers.ts';
import { diskForm, post, rowCounts, underLoad } from './support/uploads.ts';

const MB = 1024 * 1024;

function varint(n: number): number[] {
  const out: number[] = [];
  while (n > 0x7f) {
    out.push((n & 0x7f) | 0x80);
    n = Math.floor(n / 128);
  }
  out.push(n);
  return out;
}

/** ir_version 8 and a graph (field 7) of `graphBytes` */
function model(graph: Buffer): Buffer {
  return Buffer.concat([Buffer.from([0x08, 0x08, 0x3a, ...varint(graph.length)]), graph]);
}

/** 50 MB of empty NodeProto entries: 25 million nodes (protobufjs needed ~350 MB of heap for 4 MB of these). */
function emptyNodes(bytes: number): Buffer {
  const graph = Buffer.alloc(bytes);
  for (let i = 0; i < bytes; i += 2) graph[i] = 0x0a;
  return model(graph);
}

/** One node nesting node → attribute → subgraph → node … about `bytes` deep, written inside out. */
function nestedNodes(bytes: number): Buffer {
  const out = Buffer.alloc(bytes);
  let start = bytes;
  const tags = [0x0a, 0x2a, 0x32]; // GraphProto.node, NodeProto.attribute, AttributeProto.g
  for (let level = 0; start > 8; level++) {
    const prefix = [tags[level % 3] as number, ...varint(bytes - start)];
    start -= prefix.length;
    out.set(prefix, start);
  }
  return model(out.subarray(start));
}

describe('hostile ONNX uploads', () => {
  let api: TestApi;
  let dir = '';
  beforeAll(async () => {
    api = await startTestApi({ MAX_ARTIFACT_BYTES: 128 * MB }, { listen: true });
    dir = await mkdtemp(join(tmpdir(), 'edgeproof-onnx-bomb-'));
    expect((await post(api, '/v1/models', { name: 'target', taskKind: 'other', owner: 'o' })).status).toBe(201);
  });
  afterAll(async () => {
    await api.close();
    await rm(dir, { recursive: true, force: true });
  });

  it.each([
    ['25 million empty nodes', () => emptyNodes(50 * MB)],
    ['nodes nested millions deep', () => nestedNodes(50 * MB)],
  ])('refuses 50 MB of %s with 422, in bounded heap, while /health keeps answering', async (name, build) => {
    const path = join(dir, `${name.replace(/ /g, '-')}.onnx`);
    await writeFile(path, build());
    const rows = await rowCounts(api);
    const files = await api.storedFiles();
    const { result, health, heapGrowthBytes } = await underLoad(api, async () => post(api, '/v1/models/target/versions', await diskForm({ version: '1.0.0' }, { file: path })));
    expect(result.status).toBe(422);
    expect(result.body.error).toMatchObject({ code: 'invalid_model', message: 'file: model declares no inputs', details: { reason: 'no_inputs' } });
    // the whole-protobuf decoder needed gigabytes for this; the API's heap now barely moves
    expect(heapGrowthBytes).toBeLessThan(64 * MB);
    expect(health.samples).toBeGreaterThan(10);
    expect(health.p99).toBeLessThan(100);
    expect(await rowCounts(api)).toEqual(rows);
    expect(await api.storedFiles()).toEqual(files);
  });
});
