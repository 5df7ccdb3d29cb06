/**
 * Runs inside a parser worker (see pool.ts): checks one staged upload and answers with the parsed
 * value or the rejection to send. Expected failures come back as values; anything thrown is a bug.
 */
import { readFile } from 'node:fs/promises';
import { createReadStream } from 'node:fs';
import { inspectModelFile, InvalidDatasetError, InvalidModelError, readLines, LineTooLongError, validateDatasetFile } from '@edgeproof/models';
import { MOT_MAX_LINE_BYTES, ScenarioValidationError, validateScenarioStreams } from '@edgeproof/scenes';
import { checkFeatureBuild } from '../feature-build-check.ts';
import type { ErrorCode } from '@edgeproof/contracts';
import type { UntrustedOutcome, UntrustedTask } from './protocol.ts';

export default async function run(task: UntrustedTask): Promise<UntrustedOutcome> {
  switch (task.kind) {
    case 'model':
      try {
        return { ok: true, value: await inspectModelFile(task.path) };
      } catch (err) {
        if (err instanceof InvalidModelError) return reject(422, 'invalid_model', `file: ${err.message}`, { reason: err.reason });
        throw err;
      }
    case 'dataset':
      try {
        return { ok: true, value: await validateDatasetFile(task.path) };
      } catch (err) {
        if (err instanceof InvalidDatasetError) return reject(422, 'invalid_dataset', `file: ${err.message}`, { line: err.line });
        throw err;
      }
    case 'scenario':
      return checkScenario(task);
    case 'feature': {
      const problem = await checkFeatureBuild(task.path, task.platform, task.sizeBytes);
      return problem === null ? { ok: true, value: null } : reject(422, 'unprocessable', `file: ${problem}`, { field: 'file' });
    }
  }
}

async function checkScenario(task: Extract<UntrustedTask, { kind: 'scenario' }>): Promise<UntrustedOutcome> {
  let manifest: unknown;
  try {
    manifest = JSON.parse(await readFile(task.manifestPath, 'utf8'));
  } catch (err) {
    return reject(422, 'unprocessable', `manifest: not valid JSON (${(err as Error).message})`, { field: 'manifest' });
  }
  try {
    const lines = readLines(task.groundTruthPath, { maxLineBytes: MOT_MAX_LINE_BYTES });
    const value = await validateScenarioStreams({ manifest, video: chunks(task.videoPath), groundTruthLines: lines });
    return { ok: true, value };
  } catch (err) {
    if (err instanceof LineTooLongError) {
      return reject(422, 'unprocessable', `groundTruth: ${err.message}`, { field: 'groundTruth', line: err.line });
    }
    if (err instanceof ScenarioValidationError) {
      const line = /^line (\d+):/.exec(err.message.slice(err.field.length + 2))?.[1];
      return reject(422, 'unprocessable', err.message, { field: err.field, ...(line ? { line: Number(line) } : {}) });
    }
    throw err;
  }
}

/** The file's bytes; opened only when first read, closed when the reader stops. */
async function* chunks(path: string): AsyncGenerator<Uint8Array> {
  yield* createReadStream(path, { highWaterMark: 1024 * 1024 }) as AsyncIterable<Buffer>;
}

function reject(status: number, code: ErrorCode, message: string, details?: unknown): UntrustedOutcome {
  return { ok: false, rejection: { status, code, message, ...(details === undefined ? {} : { details }) } };
}
