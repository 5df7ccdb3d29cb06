import { existsSync, mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { DatasetHeader, DatasetSample } from '@edgeproof/contracts';
import { afterAll, describe, expect, it } from 'vitest';
import { DATASET_MAX_LINE_BYTES, InvalidDatasetError, readDatasetSamples, readLines, validateDatasetFile, writeDatasetFile } from '../src/index.ts';

const dir = mkdtempSync(join(tmpdir(), 'edgeproof-dataset-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const header: DatasetHeader = {
  format: 'edgeproof-dataset/v1',
  taskKind: 'classification',
  inputs: [
    { name: 'x', elementType: 'float32', shape: [1, 1, 28, 28] },
    { name: 'ids', elementType: 'int64', shape: [2] },
    { name: 'mask', elementType: 'bool', shape: [3] },
  ],
  labels: ['zero', 'one', 'two'],
};

const pixels = (i: number) => Array.from({ length: 784 }, (_, k) => ((k + i) % 256) / 255);
const sample = (i: number): DatasetSample => ({
  inputs: { x: pixels(i), ids: [i, 2 ** 40 + i], mask: [true, false, 1] },
  label: i % 3,
});

let fileNo = 0;
function datasetFile(lines: unknown[], raw: string[] = []): string {
  const path = join(dir, `data-${fileNo++}.jsonl`);
  writeFileSync(path, [...lines.map((l) => JSON.stringify(l)), ...raw].map((l) => `${l}\n`).join(''));
  return path;
}

async function invalid(path: string): Promise<InvalidDatasetError> {
  const err = await validateDatasetFile(path).then(
    () => new Error('expected InvalidDatasetError'),
    (e: unknown) => e,
  );
  expect(err).toBeInstanceOf(InvalidDatasetError);
  return err as InvalidDatasetError;
}

const goodLines = () => [header, ...Array.from({ length: 20 }, (_, i) => sample(i))];

describe('validateDatasetFile', () => {
  it('accepts a good file and counts its samples', async () => {
    expect(await validateDatasetFile(datasetFile(goodLines()))).toEqual({ header, sampleCount: 20 });
  });

  it('names the line and input when a value count is wrong', async () => {
    const lines = goodLines();
    lines[16] = { ...sample(15), inputs: { ...sample(15).inputs, x: pixels(0).slice(1) } };
    const err = await invalid(datasetFile(lines));
    expect(err.line).toBe(17);
    expect(err.message).toBe('line 17: inputs.x has 783 values, expected 784 (shape [1,1,28,28])');
  });

  it.each([
    [{ ...sample(0), label: 3 }, 'line 2: label 3 is out of range: the header has 3 labels (0..2)'],
    [{ ...sample(0), label: -1 }, 'line 2: label: Too small: expected number to be >=0'],
    [{ inputs: { x: pixels(0), ids: [1, 2] }, label: 0 }, 'line 2: inputs.mask is missing'],
    [
      { ...sample(0), inputs: { ...sample(0).inputs, y: [1] } },
      'line 2: inputs.y is not an input of the dataset (header inputs: x, ids, mask)',
    ],
    [
      { ...sample(0), inputs: { ...sample(0).inputs, ids: [1.5, 2] } },
      'line 2: inputs.ids[0] is 1.5, expected an integer (int64)',
    ],
    [
      { ...sample(0), inputs: { ...sample(0).inputs, x: [true, ...pixels(0).slice(1)] } },
      'line 2: inputs.x[0] is true, a boolean, but the input is float32',
    ],
    [
      { ...sample(0), inputs: { ...sample(0).inputs, mask: [true, 2, false] } },
      'line 2: inputs.mask[1] is 2, expected true, false, 0 or 1 (bool)',
    ],
    [{ ...sample(0), extra: 1 }, 'line 2: Unrecognized key: "extra"'],
  ])('rejects a bad sample: %#', async (bad, message) => {
    const err = await invalid(datasetFile([header, bad, sample(1)]));
    expect([err.line, err.message]).toEqual([2, message]);
  });

  it('checks integer ranges per type', async () => {
    const u8: DatasetHeader = { ...header, inputs: [{ name: 'p', elementType: 'uint8', shape: [2] }] };
    const err = await invalid(datasetFile([u8, { inputs: { p: [0, 256] }, label: 0 }]));
    expect(err.message).toBe('line 2: inputs.p[1] is 256, outside the uint8 range 0..255');
  });

  it('names the line of bad JSON', async () => {
    const lines = goodLines().slice(0, 5);
    const err = await invalid(datasetFile(lines, ['{"inputs": {"x": [1, 2', JSON.stringify(sample(1))]));
    expect(err.line).toBe(6);
    expect(err.message).toMatch(/^line 6: invalid JSON: /);
  });

  it('rejects a bad header on line 1', async () => {
    const err = await invalid(datasetFile([{ ...header, format: 'csv' }, sample(0)]));
    expect(err.line).toBe(1);
    expect(err.message).toMatch(/^line 1: not an edgeproof-dataset\/v1 header: format: /);
    const dup = await invalid(datasetFile([{ ...header, inputs: [header.inputs[0], header.inputs[0]] }, sample(0)]));
    expect(dup.message).toBe('line 1: input "x" is declared twice');
  });

  it('rejects an empty file and a header without samples', async () => {
    const empty = join(dir, 'empty.jsonl');
    writeFileSync(empty, '');
    expect((await invalid(empty)).message).toBe('line 1: file is empty; expected an edgeproof-dataset/v1 header');
    const err = await invalid(datasetFile([header]));
    expect([err.line, err.message]).toEqual([2, 'line 2: no samples after the header']);
  });

  it('tolerates blank lines and CRLF line ends', async () => {
    const path = join(dir, 'crlf.jsonl');
    writeFileSync(path, `${JSON.stringify(header)}\r\n\r\n${JSON.stringify(sample(0))}\r\n`);
    expect((await validateDatasetFile(path)).sampleCount).toBe(1);
  });
});

describe('dataset line cap', () => {
  it('refuses a line longer than DATASET_MAX_LINE_BYTES without reading it whole, naming the line', async () => {
    const path = join(dir, `giant-${fileNo++}.jsonl`);
    writeFileSync(path, `${JSON.stringify(header)}\n${JSON.stringify(sample(0))}\n[${'1,'.repeat(DATASET_MAX_LINE_BYTES / 2)}1]\n`);
    const err = await invalid(path);
    expect([err.line, err.message]).toEqual([3, `line 3: longer than ${DATASET_MAX_LINE_BYTES} bytes (the limit for one line)`]);
  });

  it('splits lines across chunk boundaries, CRLF included, and keeps a last line without newline', async () => {
    const path = join(dir, `lines-${fileNo++}.txt`);
    const long = 'x'.repeat(300 * 1024 - 1);
    writeFileSync(path, `a\r\n${long}\r\n\nb\r\nlast`);
    const lines: string[] = [];
    for await (const line of readLines(path, { maxLineBytes: 300 * 1024 })) lines.push(line);
    expect(lines).toEqual(['a', long, '', 'b', 'last']);
  });
});

describe('readDatasetSamples', () => {
  it('yields typed arrays shaped by the header', async () => {
    const read = [];
    for await (const entry of readDatasetSamples(datasetFile(goodLines()))) read.push(entry);
    expect(read).toHaveLength(20);
    const first = read[1]!;
    expect(first.index).toBe(1);
    expect(first.label).toBe(1);
    expect(first.inputs.x).toEqual({ elementType: 'float32', dims: [1, 1, 28, 28], data: Float32Array.from(pixels(1)) });
    expect(first.inputs.ids).toEqual({ elementType: 'int64', dims: [2], data: new BigInt64Array([1n, 2n ** 40n + 1n]) });
    expect(first.inputs.mask).toEqual({ elementType: 'bool', dims: [3], data: new Uint8Array([1, 0, 1]) });
  });

  it('stops after limit', async () => {
    const indexes = [];
    for await (const entry of readDatasetSamples(datasetFile(goodLines()), { limit: 3 })) indexes.push(entry.index);
    expect(indexes).toEqual([0, 1, 2]);
  });

  it('throws at the first bad line it reaches', async () => {
    const lines = goodLines();
    lines[3] = { ...sample(2), label: 9 };
    const labels: number[] = [];
    await expect(async () => {
      for await (const entry of readDatasetSamples(datasetFile(lines))) labels.push(entry.label);
    }).rejects.toThrow('line 4: label 9 is out of range');
    expect(labels).toHaveLength(2);
  });
});

describe('writeDatasetFile', () => {
  it('writes a file that validates and reads back', async () => {
    const path = join(dir, 'written.jsonl');
    await writeDatasetFile(path, header, Array.from({ length: 5 }, (_, i) => sample(i)));
    expect(await validateDatasetFile(path)).toEqual({ header, sampleCount: 5 });
    expect(readFileSync(path, 'utf8').split('\n')[0]).toBe(JSON.stringify(header));
  });

  it('accepts async iterables', async () => {
    async function* samples() {
      for (let i = 0; i < 3; i++) yield sample(i);
    }
    const path = join(dir, 'written-async.jsonl');
    await writeDatasetFile(path, header, samples());
    expect((await validateDatasetFile(path)).sampleCount).toBe(3);
  });

  it('refuses a bad sample and leaves no file behind', async () => {
    const sub = mkdtempSync(join(dir, 'bad-'));
    const path = join(sub, 'bad.jsonl');
    await expect(writeDatasetFile(path, header, [sample(0), { ...sample(1), label: 7 }])).rejects.toThrow(
      'line 3: label 7 is out of range',
    );
    expect(existsSync(path)).toBe(false);
    expect(readdirSync(sub)).toEqual([]);
    await expect(writeDatasetFile(path, header, [])).rejects.toThrow('line 2: no samples after the header');
  });
});
