import { fork } from 'node:child_process';
import { createRequire } from 'node:module';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { DriverError } from '../driver.ts';
import type { DriverJob, DriverResult } from '../driver.ts';
import type { ChildMessage, ParentMessage } from './protocol.ts';

const CHILD_ENTRY = fileURLToPath(new URL('./inference-child.ts', import.meta.url));
const STDERR_TAIL_BYTES = 4096;

/** tsx's loader as a file URL, so the child can run TypeScript whatever its working directory. */
function tsxLoader(): string {
  return pathToFileURL(createRequire(import.meta.url).resolve('tsx')).href;
}

export interface InferenceProcessOptions {
  timeoutMs: number;
  signal: AbortSignal;
  /** extra node flags for the child, e.g. --max-old-space-size */
  execArgv?: string[];
}

/**
 * Runs one job in a fresh node process, so a native crash or a hung model fails this job only.
 * Settles after the child has exited; on timeout or abort the child is SIGKILLed first.
 */
export function runInInferenceProcess(job: DriverJob, opts: InferenceProcessOptions): Promise<DriverResult> {
  return new Promise((resolve, reject) => {
    if (opts.signal.aborted) {
      reject(new DriverError('aborted', 'inference aborted before it started'));
      return;
    }
    const child = fork(CHILD_ENTRY, [], {
      execArgv: ['--import', tsxLoader(), ...(opts.execArgv ?? [])],
      serialization: 'advanced',
      stdio: ['ignore', 'ignore', 'pipe', 'ipc'],
    });
    let stderrTail = '';
    child.stderr?.setEncoding('utf8');
    child.stderr?.on('data', (chunk: string) => {
      stderrTail = (stderrTail + chunk).slice(-STDERR_TAIL_BYTES);
    });

    let reply: ChildMessage | undefined;
    let killedFor: 'timeout' | 'abort' | undefined;
    const kill = (why: 'timeout' | 'abort') => {
      if (killedFor !== undefined || child.exitCode !== null || child.signalCode !== null) return;
      killedFor = why;
      child.kill('SIGKILL');
    };
    const timer = setTimeout(() => kill('timeout'), opts.timeoutMs);
    const onAbort = () => kill('abort');
    opts.signal.addEventListener('abort', onAbort, { once: true });

    child.on('message', (msg: ChildMessage) => {
      reply ??= msg;
    });
    child.on('error', (err) => {
      // spawn failure; 'exit' may never come
      if (child.pid === undefined) {
        cleanup();
        reject(new DriverError('failed', `could not start the inference process: ${err.message}`, { cause: err }));
      }
    });
    child.on('exit', (code, signal) => {
      cleanup();
      if (killedFor === 'timeout') {
        reject(new DriverError('timeout', `inference timed out after ${formatSeconds(opts.timeoutMs)}`));
      } else if (killedFor === 'abort') {
        reject(new DriverError('aborted', `inference aborted: ${reasonText(opts.signal.reason)}`));
      } else if (reply?.type === 'result') {
        resolve(reply.result);
      } else if (reply?.type === 'error') {
        reject(new DriverError(reply.error.code, reply.error.message));
      } else if (signal !== null) {
        reject(new DriverError('crashed', `inference process crashed (signal ${signal})${tail(stderrTail)}`));
      } else {
        reject(new DriverError('crashed', `inference process exited with code ${code} and no result${tail(stderrTail)}`));
      }
    });

    function cleanup() {
      clearTimeout(timer);
      opts.signal.removeEventListener('abort', onAbort);
    }

    const message: ParentMessage = { type: 'run', job };
    // a child that dies before reading this is reported by the 'exit' handler
    child.send(message, () => {});
  });
}

function formatSeconds(ms: number): string {
  const s = ms / 1000;
  return `${Number.isInteger(s) ? s : s.toFixed(1)}s`;
}

function reasonText(reason: unknown): string {
  if (reason instanceof Error) return reason.message;
  return typeof reason === 'string' ? reason : 'signal aborted';
}

function tail(stderr: string): string {
  const t = stderr.trim();
  return t ? `; stderr: ${t.slice(-1000)}` : '';
}
