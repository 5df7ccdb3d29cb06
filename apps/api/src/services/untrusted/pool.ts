import type { ErrorCode } from '@edgeproof/contracts';
import { Piscina } from 'piscina';
import { AppError } from '../../errors.ts';
import type { UntrustedOutcome, UntrustedResults, UntrustedTask } from './protocol.ts';

/**
 * Heap of one parser worker. Parsers are streaming and capped far below this; a file that still
 * reaches it costs that worker (terminated and replaced), never the API.
 */
export const PARSER_HEAP_MB = 512;
/** Longest check of one upload; the parsers are linear, so only a pathological file gets near it. */
export const PARSER_TIMEOUT_MS = 120_000;

let pool: Piscina | undefined;

/**
 * Up to two reusable worker threads, started on first use; idle ones are unref'd (they never keep the
 * process alive) and exit after a minute.
 */
function parserPool(): Piscina {
  pool ??= new Piscina({
    filename: new URL('./worker.mjs', import.meta.url).href,
    minThreads: 0,
    maxThreads: 2,
    idleTimeout: 60_000,
    concurrentTasksPerWorker: 1,
    // the parent's flags (vitest's, tsx's) are not worker flags; worker.mjs loads tsx itself
    execArgv: [],
    resourceLimits: { maxOldGenerationSizeMb: PARSER_HEAP_MB, maxYoungGenerationSizeMb: 64, stackSizeMb: 4 },
  });
  return pool;
}

/** How each kind answers a file that exhausts the worker: the code its other rejections use and the field. */
const LIMIT_ANSWER: Record<UntrustedTask['kind'], { code: ErrorCode; field: string }> = {
  model: { code: 'invalid_model', field: 'file' },
  dataset: { code: 'invalid_dataset', field: 'file' },
  scenario: { code: 'unprocessable', field: 'body' },
  feature: { code: 'unprocessable', field: 'file' },
};

/**
 * Checks an uploaded file off the event loop, in a worker with a heap limit. Resolves with the parsed
 * value; a file that fails its check, runs the worker out of memory or past PARSER_TIMEOUT_MS rejects
 * with a 4xx AppError naming the field.
 */
export async function checkUntrusted<K extends UntrustedTask['kind']>(task: UntrustedTask & { kind: K }): Promise<UntrustedResults[K]> {
  let outcome: UntrustedOutcome<K>;
  try {
    outcome = (await parserPool().run(task, { signal: AbortSignal.timeout(PARSER_TIMEOUT_MS) })) as UntrustedOutcome<K>;
  } catch (err) {
    const { code, field } = LIMIT_ANSWER[task.kind];
    if ((err as { code?: string }).code === 'ERR_WORKER_OUT_OF_MEMORY') {
      throw new AppError(422, code, `${field}: checking this upload needs more than ${PARSER_HEAP_MB} MiB of memory`, { field, limit: 'memory' });
    }
    if ((err as { name?: string }).name === 'AbortError') {
      throw new AppError(422, code, `${field}: checking this upload takes longer than ${PARSER_TIMEOUT_MS / 1000} s`, { field, limit: 'time' });
    }
    throw err;
  }
  if (!outcome.ok) {
    const { status, code, message, details } = outcome.rejection;
    throw new AppError(status, code, message, details);
  }
  return outcome.value;
}
