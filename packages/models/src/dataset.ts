import { createWriteStream } from 'node:fs';
import { rename, rm } from 'node:fs/promises';
import { once } from 'node:events';
import { DATASET_FORMAT, DatasetHeader, DatasetSample } from '@edgeproof/contracts';
import { sampleProblem, sampleTensors } from './dataset-sample.ts';
import { LineTooLongError, readLines } from './lines.ts';
import type { GeneratedTensor } from './tensor.ts';

/** The longest line (header or sample) a dataset file may have: 32 MiB, e.g. 640x640x3 float32 values as JSON. */
export const DATASET_MAX_LINE_BYTES = 32 * 1024 * 1024;

/** A dataset file breaks the edgeproof-dataset/v1 format; `line` is 1-based. */
export class InvalidDatasetError extends Error {
  override name = 'InvalidDatasetError';
  readonly line: number;

  constructor(line: number, problem: string) {
    super(`line ${line}: ${problem}`);
    this.line = line;
  }
}

export interface DatasetEntry {
  /** 0-based position among the samples */
  index: number;
  label: number;
  inputs: Record<string, GeneratedTensor>;
}

/** Check every line of a dataset file against its header, reading it as a stream. */
export async function validateDatasetFile(path: string): Promise<{ header: DatasetHeader; sampleCount: number }> {
  let header: DatasetHeader | undefined;
  let sampleCount = 0;
  for await (const entry of parseSamples(path)) {
    header = entry.header;
    sampleCount++;
  }
  if (header === undefined) throw new Error('unreachable: parseSamples throws when there are no samples');
  return { header, sampleCount };
}

/** Samples in file order with their values as typed arrays shaped by the header; stops after `limit`. */
export async function* readDatasetSamples(
  path: string,
  opts: { limit?: number } = {},
): AsyncIterable<DatasetEntry> {
  const limit = opts.limit ?? Infinity;
  let index = 0;
  if (limit <= 0) return;
  for await (const { header, sample } of parseSamples(path)) {
    yield { index, label: sample.label, inputs: sampleTensors(header, sample) };
    if (++index >= limit) return;
  }
}

/** Write a dataset file, checking each sample against the header; the file appears only once complete. */
export async function writeDatasetFile(
  path: string,
  header: DatasetHeader,
  samples: Iterable<DatasetSample> | AsyncIterable<DatasetSample>,
): Promise<void> {
  const checkedHeader = checkHeader(header, 1);
  const temp = `${path}.${process.pid}.${Date.now()}.tmp`;
  const out = createWriteStream(temp, { encoding: 'utf8' });
  try {
    const write = async (text: string) => {
      if (!out.write(text)) await once(out, 'drain');
    };
    await write(`${JSON.stringify(checkedHeader)}\n`);
    let line = 1;
    for await (const sample of samples) {
      line++;
      await write(`${JSON.stringify(checkSample(checkedHeader, sample, line))}\n`);
    }
    if (line === 1) throw new InvalidDatasetError(2, 'no samples after the header');
    out.end();
    await once(out, 'finish');
    await rename(temp, path);
  } catch (err) {
    out.destroy();
    await rm(temp, { force: true });
    throw err;
  }
}

/** Yields every sample with the header it was checked against; throws InvalidDatasetError at the first bad line. */
async function* parseSamples(path: string): AsyncGenerator<{ header: DatasetHeader; sample: DatasetSample }> {
  let header: DatasetHeader | undefined;
  let lineNo = 0;
  let samples = 0;
  try {
    for await (const raw of readLines(path, { maxLineBytes: DATASET_MAX_LINE_BYTES })) {
      lineNo++;
      const text = lineNo === 1 ? raw.replace(/^\uFEFF/, '') : raw;
      if (text.trim() === '') continue;
      const value = parseJson(text, lineNo);
      if (header === undefined) {
        header = checkHeader(value, lineNo);
      } else {
        samples++;
        yield { header, sample: checkSample(header, value, lineNo) };
      }
    }
  } catch (err) {
    if (err instanceof LineTooLongError) throw new InvalidDatasetError(err.line, `longer than ${err.maxLineBytes} bytes (the limit for one line)`);
    throw err;
  }
  if (header === undefined) {
    throw new InvalidDatasetError(1, `file is empty; expected an ${DATASET_FORMAT} header`);
  }
  if (samples === 0) throw new InvalidDatasetError(lineNo + 1, 'no samples after the header');
}

function parseJson(text: string, line: number): unknown {
  try {
    return JSON.parse(text) as unknown;
  } catch (err) {
    throw new InvalidDatasetError(line, `invalid JSON: ${err instanceof Error ? err.message : String(err)}`);
  }
}

function checkHeader(value: unknown, line: number): DatasetHeader {
  const parsed = DatasetHeader.safeParse(value);
  if (!parsed.success) {
    throw new InvalidDatasetError(line, `not an ${DATASET_FORMAT} header: ${firstIssue(parsed.error.issues)}`);
  }
  const seen = new Set<string>();
  for (const input of parsed.data.inputs) {
    if (seen.has(input.name)) throw new InvalidDatasetError(line, `input "${input.name}" is declared twice`);
    seen.add(input.name);
  }
  return parsed.data;
}

function checkSample(header: DatasetHeader, value: unknown, line: number): DatasetSample {
  const parsed = DatasetSample.safeParse(value);
  if (!parsed.success) throw new InvalidDatasetError(line, firstIssue(parsed.error.issues));
  const problem = sampleProblem(header, parsed.data);
  if (problem !== null) throw new InvalidDatasetError(line, problem);
  return parsed.data;
}

function firstIssue(issues: readonly { path: PropertyKey[]; message: string }[]): string {
  const issue = issues[0];
  if (issue === undefined) return 'invalid';
  const path = issue.path
    .map((key, i) => (typeof key === 'number' ? `[${key}]` : `${i === 0 ? '' : '.'}${String(key)}`))
    .join('');
  return path === '' ? issue.message : `${path}: ${issue.message}`;
}
