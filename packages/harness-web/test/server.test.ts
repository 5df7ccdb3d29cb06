import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { decodeInputSets, encodeInputSets } from '../src/input-pack.ts';
import { litertVersion } from '../src/bundle.ts';
import { ISOLATION_HEADERS, startHarnessServer, type HarnessServer } from '../src/server.ts';

let server: HarnessServer;
let dir: string;

beforeAll(async () => {
  server = await startHarnessServer();
  dir = await mkdtemp(join(tmpdir(), 'ep-harness-'));
});
afterAll(async () => {
  await server.close();
  await rm(dir, { recursive: true, force: true });
});

const isolation = (res: Response) => Object.fromEntries(Object.keys(ISOLATION_HEADERS).map((h) => [h, res.headers.get(h)]));

describe('harness server', () => {
  it('binds 127.0.0.1 and serves the page with an import map and cross-origin isolation headers', async () => {
    expect(server.url).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
    const res = await fetch(server.pageUrl());
    expect(res.status).toBe(200);
    expect(isolation(res)).toEqual(ISOLATION_HEADERS);
    const html = await res.text();
    expect(html).toContain('"onnxruntime-web":"/ort/ort.wasm.min.mjs"');
    expect(await (await fetch(server.pageUrl('webgpu'))).text()).toContain('"onnxruntime-web":"/ort/ort.min.mjs"');
  });

  it('serves the bundled page script with onnxruntime-web left to the import map (imported only by ONNX jobs)', async () => {
    const res = await fetch(`${server.url}/harness/harness.js`);
    expect(res.headers.get('content-type')).toMatch(/^text\/javascript/);
    const js = await res.text();
    expect(js).toContain('import("onnxruntime-web")');
    expect(js).not.toMatch(/from "onnxruntime-web"/);
    expect(js).toContain('edgeproofHarness');
    // LiteRT.js's JS is bundled in, with the installed version
    expect(js).toContain(JSON.stringify(litertVersion()));
    expect(js).toContain('/litert/');
  });

  it("serves LiteRT.js's wasm builds (allow-listed names only), wasm as application/wasm", async () => {
    for (const f of ['litert_wasm_internal.wasm', 'litert_wasm_compat_internal.wasm', 'litert_wasm_threaded_internal.wasm', 'litert_wasm_jspi_internal.wasm']) {
      const res = await fetch(`${server.url}/litert/${f}`, { method: 'HEAD' });
      expect([f, res.status, res.headers.get('content-type')]).toEqual([f, 200, 'application/wasm']);
      expect(isolation(res)).toEqual(ISOLATION_HEADERS);
    }
    const loader = await fetch(`${server.url}/litert/litert_wasm_internal.js`);
    expect(loader.headers.get('content-type')).toMatch(/^text\/javascript/);
    expect(await loader.text()).toContain('ModuleFactory');
    expect((await fetch(`${server.url}/litert/package.json`)).status).toBe(404);
    expect((await fetch(`${server.url}/litert/..%2Fpackage.json`)).status).toBe(404);
    expect((await fetch(`${server.url}/litert/litert_wasm_evil_internal.js`)).status).toBe(404);
  });

  it('serves a TFLite job model as model.tflite, and not under the other name', async () => {
    const modelPath = join(dir, 'model.tflite');
    await writeFile(modelPath, Buffer.from([4, 5, 6]));
    const job = server.host({ modelPath, format: 'tflite', inputs: encodeInputSets([]) });
    expect(job.modelUrl).toMatch(/\/jobs\/[0-9a-f]{32}\/model\.tflite$/);
    expect([...new Uint8Array(await (await fetch(job.modelUrl)).arrayBuffer())]).toEqual([4, 5, 6]);
    expect((await fetch(job.modelUrl.replace(/\.tflite$/, '.onnx'))).status).toBe(404);
    job.remove();
  });

  it("serves onnxruntime-web's files from node_modules, wasm as application/wasm, and nothing else", async () => {
    const wasm = await fetch(`${server.url}/ort/ort-wasm-simd-threaded.wasm`, { method: 'HEAD' });
    expect(wasm.status).toBe(200);
    expect(wasm.headers.get('content-type')).toBe('application/wasm');
    expect(isolation(wasm)).toEqual(ISOLATION_HEADERS);
    expect((await fetch(`${server.url}/ort/ort.wasm.min.mjs`)).status).toBe(200);
    expect((await fetch(`${server.url}/ort/package.json`)).status).toBe(404);
    expect((await fetch(`${server.url}/ort/..%2Fpackage.json`)).status).toBe(404);
    expect((await fetch(`${server.url}/harness/`, { method: 'POST' })).status).toBe(405);
  });

  it("serves a job's model and inputs under an unguessable path until it is removed", async () => {
    const modelPath = join(dir, 'model.onnx');
    await writeFile(modelPath, Buffer.from([1, 2, 3]));
    const inputs = encodeInputSets([{ tensors: { x: { elementType: 'float32', dims: [1], data: new Float32Array([7]) } } }]);
    const job = server.host({ modelPath, inputs });
    expect(job.modelUrl).toMatch(/\/jobs\/[0-9a-f]{32}\/model\.onnx$/);
    const model = await fetch(job.modelUrl);
    expect(isolation(model)).toEqual(ISOLATION_HEADERS);
    expect(model.headers.get('cache-control')).toBe('no-store');
    expect([...new Uint8Array(await model.arrayBuffer())]).toEqual([1, 2, 3]);
    const sets = decodeInputSets(await (await fetch(job.inputsUrl)).arrayBuffer());
    expect(Array.from(sets[0]?.tensors.x?.data as Float32Array)).toEqual([7]);
    job.remove();
    expect((await fetch(job.modelUrl)).status).toBe(404);
    expect((await fetch(job.inputsUrl)).status).toBe(404);
  });
});
