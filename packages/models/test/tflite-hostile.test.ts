import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { inspectModelFile, InvalidModelError, parseTfliteSignature, TFLITE_SIGNATURE_LIMITS } from '../src/index.ts';
import { FACE_FULL, FACE_SHORT } from './fixtures.ts';
import { FIELD, Layout, parsesOrRejects, patched, rejection, repeatedEntries, small } from './tflite-fixtures.ts';

const dir = mkdtempSync(join(tmpdir(), 'edgeproof-tflite-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

// xorshift32: a fixed seed, so a failure reproduces
let state = 20261207;
function randomInt(n: number): number {
  state ^= state << 13;
  state ^= state >>> 17;
  state ^= state << 5;
  return (state >>> 0) % n;
}

describe('hostile and broken TFLite files', () => {
  it('rejects a real model cut at any of ~4,500 offsets as truncated', () => {
    const bytes = readFileSync(FACE_SHORT);
    const cuts = new Set<number>();
    for (let i = 1; i < 2048; i++) cuts.add(i);
    for (let i = 1; i <= 2048; i++) cuts.add(bytes.length - i);
    for (let i = 1; i < 500; i++) cuts.add(Math.floor((bytes.length * i) / 500));
    const started = performance.now();
    const reasons = new Set<string>();
    for (const cut of cuts) reasons.add(rejection(bytes.subarray(0, cut)).reason);
    expect([...reasons]).toEqual(['truncated']);
    // linear in the bytes visited: ~4,500 parses of a 229 KB file take well under a second of CPU
    expect(performance.now() - started).toBeLessThan(10_000);
  });

  it('rejects random bytes after a TFL3 header', () => {
    for (let i = 0; i < 300; i++) {
      const bytes = Uint8Array.from({ length: 8 + randomInt(4096) }, () => randomInt(256));
      bytes.set(new TextEncoder().encode('TFL3'), 4);
      // half the cases get a root offset inside the file, so the garbage is read as tables
      if (i % 2 === 0) new DataView(bytes.buffer).setUint32(0, 8 + randomInt(bytes.length - 8), true);
      rejection(bytes);
    }
  });

  it('rejects vector and string lengths past the end of the file, whatever the vector', () => {
    const bytes = small();
    const l = new Layout(bytes);
    const sg = l.subgraph(0);
    const input = sg.tensors(0)!;
    const lengths = [
      l.target(l.model.bb_pos, FIELD.model.subgraphs),
      l.target(l.model.bb_pos, FIELD.model.operatorCodes),
      l.target(l.model.bb_pos, FIELD.model.buffers),
      l.target(sg.bb_pos, FIELD.subgraph.tensors),
      l.target(sg.bb_pos, FIELD.subgraph.inputs),
      l.target(sg.bb_pos, FIELD.subgraph.operators),
      l.target(input.bb_pos, FIELD.tensor.shape),
      l.target(input.bb_pos, FIELD.tensor.name),
    ];
    for (const at of lengths) {
      for (const length of [0x7fffffff, 0xffffffff, bytes.length]) {
        const err = rejection(patched(bytes, (v) => v.setUint32(at, length, true)));
        expect(err.reason, `length ${length} at ${at}`).toMatch(/^(truncated|over_limit)$/);
      }
    }
    const name = l.target(input.bb_pos, FIELD.tensor.name);
    const long = rejection(patched(bytes, (v) => v.setUint32(name, TFLITE_SIGNATURE_LIMITS.stringBytes + 1, true)));
    expect(long.reason).toBe('over_limit');
  });

  it('rejects offsets that point outside the file or break the format', () => {
    const bytes = small();
    const l = new Layout(bytes);
    const root = l.model.bb_pos;
    const sg = l.subgraph(0);
    const cases: Array<[string, (v: DataView) => void, string]> = [
      ['root offset past the end', (v) => v.setUint32(0, bytes.length + 100, true), 'truncated'],
      ['root offset 0xffffffff', (v) => v.setUint32(0, 0xffffffff, true), 'truncated'],
      ['root offset inside the header', (v) => v.setUint32(0, 4, true), 'truncated'],
      ['vtable far before the file', (v) => v.setInt32(root, 0x7fffffff, true), 'truncated'],
      ['vtable far after the file', (v) => v.setInt32(root, -0x7fffffff, true), 'truncated'],
      ['subgraphs uoffset past the end', (v) => v.setUint32(l.field(root, FIELD.model.subgraphs), 0x7ffffff0, true), 'truncated'],
      ['subgraph 0 uoffset past the end', (v) => v.setUint32(l.target(root, FIELD.model.subgraphs) + 4, bytes.length, true), 'truncated'],
      ['odd vtable size', (v) => v.setUint16(root - v.getInt32(root, true), 5, true), 'not_a_model'],
      ['field outside its table', (v) => v.setUint16(root - v.getInt32(root, true) + FIELD.model.subgraphs, 0xfff0, true), 'not_a_model'],
      ['input names tensor 999', (v) => v.setInt32(l.target(sg.bb_pos, FIELD.subgraph.inputs) + 4, 999, true), 'not_a_model'],
      ['negative input index', (v) => v.setInt32(l.target(sg.bb_pos, FIELD.subgraph.inputs) + 4, -1, true), 'not_a_model'],
      ['operator names operator code 77', (v) => v.setUint32(l.field(sg.operators(1)!.bb_pos, FIELD.operator.opcodeIndex), 77, true), 'not_a_model'],
      ['schema version 4', (v) => v.setUint32(l.field(root, FIELD.model.version), 4, true), 'not_a_model'],
      ['identifier TFL3 moved away', (v) => v.setUint8(7, 0x34), 'not_a_model'],
    ];
    for (const [what, write, reason] of cases) expect(rejection(patched(bytes, write)).reason, what).toBe(reason);
  });

  it('bounds the work on huge counts of small entries by caps, not by the file size', () => {
    for (const which of ['buffers', 'operators'] as const) {
      const limit = which === 'buffers' ? TFLITE_SIGNATURE_LIMITS.buffers : TFLITE_SIGNATURE_LIMITS.operators;
      const err = rejection(repeatedEntries(which, limit + 1));
      expect([err.reason, err.message]).toEqual(['over_limit', `TFLite model is over a limit of this reader: ${limit + 1} ${which} (at most ${limit})`]);
      // just under the cap it is read, in time linear in the entries
      const started = performance.now();
      const signature = parseTfliteSignature(repeatedEntries(which, 200_000));
      expect(performance.now() - started).toBeLessThan(3000);
      expect(signature.nodeCount).toBe(which === 'operators' ? 200_000 : 1);
    }
  });

  it('rejects strings that are not NUL-terminated or not UTF-8', () => {
    const bytes = small();
    const l = new Layout(bytes);
    const name = l.target(l.subgraph(0).tensors(0)!.bb_pos, FIELD.tensor.name); // "x"
    const unterminated = rejection(patched(bytes, (v) => v.setUint8(name + 5, 0x41)));
    expect(unterminated.message).toMatch(/is not NUL-terminated$/);
    const notUtf8 = rejection(patched(bytes, (v) => v.setUint8(name + 4, 0xff)));
    expect(notUtf8.message).toMatch(/is not valid UTF-8$/);
  });

  it('survives 2,000 random byte corruptions: each parses to a valid signature or is InvalidModelError', () => {
    const bytes = small();
    let rejected = 0;
    for (let i = 0; i < 2000; i++) {
      const copy = Uint8Array.from(bytes);
      for (let k = 1 + randomInt(4); k > 0; k--) copy[randomInt(copy.length)] = randomInt(256);
      if (parsesOrRejects(copy) !== 'parsed') rejected++;
    }
    // most corruptions land in the structure of so small a model, and are caught
    expect(rejected).toBeGreaterThan(100);
  });

  it('answers InvalidModelError through inspectModelFile for a corrupt TFL3 upload, reading it in pages', async () => {
    const bytes = readFileSync(FACE_FULL);
    const half = join(dir, 'half.tflite');
    writeFileSync(half, bytes.subarray(0, bytes.length >> 1));
    const err = await inspectModelFile(half).then(() => null, (e: unknown) => e);
    expect(err).toBeInstanceOf(InvalidModelError);
    expect((err as InvalidModelError).reason).toBe('truncated');
    expect((err as InvalidModelError).message).toMatch(/^TFLite flatbuffer is truncated or corrupt: .* lies outside the file \(541992 bytes\)$/);

    const garbage = join(dir, 'garbage.tflite');
    writeFileSync(garbage, Buffer.concat([Buffer.from([0x1c, 0, 0, 0]), Buffer.from('TFL3'), Buffer.alloc(64, 1)]));
    const junk = await inspectModelFile(garbage).then(() => null, (e: unknown) => e);
    expect(junk).toBeInstanceOf(InvalidModelError);
  });
});
