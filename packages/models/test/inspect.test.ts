import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { afterAll, describe, expect, it } from 'vitest';
import { inspectModelFile, InvalidModelError } from '../src/index.ts';
import { FACE_SHORT, OCR_DET, SILERO_V5 } from './fixtures.ts';

const dir = mkdtempSync(join(tmpdir(), 'edgeproof-models-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

let fileNo = 0;
function tempFile(bytes: Uint8Array | string): string {
  const path = join(dir, `file-${fileNo++}`);
  writeFileSync(path, bytes);
  return path;
}

async function rejection(path: string): Promise<InvalidModelError> {
  const err = await inspectModelFile(path).then(
    () => new Error('expected InvalidModelError'),
    (e: unknown) => e,
  );
  expect(err).toBeInstanceOf(InvalidModelError);
  return err as InvalidModelError;
}

// 1x1 transparent PNG
const PNG = Buffer.from(
  'iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAQAAAC1HAwCAAAAC0lEQVR42mNkYAAAAAYAAjCB0C8AAAAASUVORK5CYII=',
  'base64',
);

describe('inspectModelFile', () => {
  it('reads real ONNX models', async () => {
    const det = await inspectModelFile(OCR_DET);
    expect(det.format).toBe('onnx');
    expect(det.signature.inputs.map((i) => i.name)).toEqual(['x']);
    const vad = await inspectModelFile(SILERO_V5);
    expect(vad.signature.inputs.map((i) => i.elementType)).toEqual(['float32', 'float32', 'int64']);
  });

  it('recognises TFLite by its FlatBuffer identifier and reads its signature', async () => {
    const face = await inspectModelFile(FACE_SHORT);
    expect(face.format).toBe('tflite');
    expect(face.signature.inputs).toEqual([{ name: 'input', elementType: 'float32', shape: [1, 128, 128, 3] }]);
    // a TFL3 identifier in front of nothing is a broken TFLite file, never read as ONNX
    const header = new Uint8Array(64);
    header.set([0x1c, 0, 0, 0], 0);
    header.set(new TextEncoder().encode('TFL3'), 4);
    const err = await rejection(tempFile(header));
    expect([err.reason, err.message]).toEqual(['not_a_model', 'file is not a valid TFLite model: the table at byte 28 has a malformed vtable at byte 28']);
  });

  it('rejects an empty file', async () => {
    const err = await rejection(tempFile(new Uint8Array()));
    expect([err.reason, err.message]).toEqual(['empty_file', 'model file is empty']);
  });

  it('rejects a real model cut in half as truncated', async () => {
    const bytes = readFileSync(SILERO_V5);
    const err = await rejection(tempFile(bytes.subarray(0, bytes.length >> 1)));
    expect(err.reason).toBe('truncated');
    expect(err.message).toMatch(/^ONNX protobuf is truncated or corrupt: .+/);
  });

  it('names common non-model files', async () => {
    const zipHeader = Buffer.concat([Buffer.from('PK\x03\x04\x14\x00\x00\x00\x08\x00', 'latin1'), Buffer.alloc(40)]);
    const cases: [Uint8Array | string, string][] = [
      [PNG, 'file looks like a PNG image (image/png), not an ONNX or TFLite model'],
      [Buffer.from('ffd8ffe000104a46494600010100000100010000', 'hex'), 'a JPG image (image/jpeg)'],
      [gzipSync('not a model'), 'a GZ file (application/gzip)'],
      ['%PDF-1.4\n%\xe2\xe3\xcf\xd3\n1 0 obj\n<<>>\nendobj\n', 'a PDF file (application/pdf)'],
      [zipHeader, 'a ZIP file (application/zip); PyTorch and Keras checkpoints are ZIP files'],
      ['{"model": "resnet"}\n', 'file looks like a text file, not an ONNX or TFLite model'],
    ];
    for (const [bytes, expected] of cases) {
      const err = await rejection(tempFile(bytes));
      expect(err.reason).toBe('not_a_model');
      expect(err.message).toContain(expected);
    }
  });

  it('rejects random bytes', async () => {
    let state = 12345;
    const random = Uint8Array.from({ length: 4096 }, () => {
      state = (Math.imul(state, 1103515245) + 12345) >>> 0;
      return state >>> 24;
    });
    const err = await rejection(tempFile(random));
    expect(['truncated', 'not_a_model']).toContain(err.reason);
  });
});
