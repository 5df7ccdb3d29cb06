import { fork, type ChildProcess } from 'node:child_process';
import { createRequire } from 'node:module';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { DriverError } from '../driver.ts';
import type { DriverJob, DriverResult } from '../driver.ts';
import type { JobPhases } from './phases.ts';
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
  /** called with the pid of the process that runs the job, before the job is sent to it */
  onProcess?: (pid: number) => void;
}

export interface WorkerFacts {
  pid: number;
  /** the process had run earlier jobs */
  shared: boolean;
  ageMs: number;
  /** jobs this process has run, this one included */
  jobsServed: number;
  /** resident memory the process held at the job's start above what it held fresh (0 for a fresh process) */
  retainedBytes?: number;
}

export interface InferenceRun {
  result: DriverResult;
  phases: JobPhases;
  worker: WorkerFacts;
}

export interface InferenceWorkersOptions {
  /** keep the process after a successful job for the next one; default true */
  reuse?: boolean;
  /** extra node flags for the child, e.g. --max-old-space-size */
  execArgv?: string[];
  /** a process is retired after this many jobs; default 100 */
  maxJobs?: number;
  /** ... or once it is this old (ms); default 30 min */
  maxAgeMs?: number;
  /** ... or once, idle after a job, it holds this much more resident memory than at the start of its first job; default 8 MiB (README.md) */
  maxRetainedBytes?: number;
}

/** One inference process (inference-child.ts). */
/** what a process's first job may grow it by and still count as a process like a fresh one that ran a job (measured ~17 MB) */
const FIRST_JOB_GROWTH_LIMIT = 32 * 2 ** 20;

class InferenceWorker {
  readonly child: ChildProcess;
  readonly startedAt = performance.now();
  jobsServed = 0;
  stderrTail = '';
  /** resident memory after its last job (garbage collected) above a fresh process's, from its 'idle' message */
  retainedBytes = 0;
  exit: { code: number | null; signal: NodeJS.Signals | null } | undefined;
  readonly exited: Promise<void>;
  #onMessage: ((msg: ChildMessage) => void) | undefined;
  /** called when the process has said what it retains after a job */
  onRetained: (() => void) | undefined;

  constructor(execArgv: string[]) {
    this.child = fork(CHILD_ENTRY, [], {
      // --expose-gc: a kept process collects the previous job's garbage before the next job (peak memory)
      execArgv: ['--import', tsxLoader(), '--expose-gc', ...execArgv],
      serialization: 'advanced',
      stdio: ['ignore', 'ignore', 'pipe', 'ipc'],
    });
    this.child.stderr?.setEncoding('utf8');
    this.child.stderr?.on('data', (chunk: string) => {
      this.stderrTail = (this.stderrTail + chunk).slice(-STDERR_TAIL_BYTES);
    });
    this.child.on('message', (msg: ChildMessage) => {
      if (msg.type === 'idle') {
        // a first job that left far more behind than a first job does (a big model) counts in full
        const firstGrowth = msg.baseRssBytes - msg.freshRssBytes;
        this.retainedBytes = Math.max(0, msg.rssBytes - msg.baseRssBytes, firstGrowth > FIRST_JOB_GROWTH_LIMIT ? firstGrowth : 0);
        this.onRetained?.();
      } else this.#onMessage?.(msg);
    });
    this.exited = new Promise((resolve) => {
      this.child.on('exit', (code, signal) => {
        this.exit = { code, signal };
        resolve();
      });
      // spawn failure: 'exit' may never come
      this.child.on('error', () => {
        if (this.child.pid === undefined) {
          this.exit ??= { code: null, signal: null };
          resolve();
        }
      });
    });
    this.idle();
  }

  get alive(): boolean {
    return this.exit === undefined && this.child.exitCode === null && this.child.signalCode === null;
  }

  /** An idle process does not keep the agent's event loop alive (it exits when the agent's channel closes). */
  idle(): void {
    this.child.unref();
    (this.child.channel as { unref?: () => void } | undefined)?.unref?.();
  }

  busy(): void {
    this.child.ref();
    (this.child.channel as { ref?: () => void } | undefined)?.ref?.();
  }

  onMessage(handler: ((msg: ChildMessage) => void) | undefined): void {
    this.#onMessage = handler;
  }

  async kill(): Promise<void> {
    // an idle process is unref'd: without a ref the agent's event loop could empty and end the agent
    // (exit code 0, shutdown unfinished) before this child's exit is reported
    this.busy();
    if (this.alive) this.child.kill('SIGKILL');
    await this.exited;
  }
}

/**
 * Runs jobs in inference processes, so a native crash or a hung model fails that job only. With
 * `reuse`, a process that returned a result serves the next job (each job still creates and releases
 * its own InferenceSession, and the child resets its peak-RSS mark); a process whose job failed,
 * crashed, timed out or was aborted is killed and never reused. Failures settle after the process has
 * exited; on timeout or abort it is SIGKILLed first. With `reuse`, a process that is retired (failed,
 * too old, or holding more memory than a fresh one would after its job) is replaced at once by a
 * fresh process that warms onnxruntime up while the device waits, so the next job starts on a warm
 * process either way.
 */
export class InferenceWorkers {
  readonly #opts: Required<Omit<InferenceWorkersOptions, 'execArgv'>> & { execArgv: string[] };
  #idle: InferenceWorker | undefined;
  readonly #busy = new Set<InferenceWorker>();
  #closed = false;

  constructor(opts: InferenceWorkersOptions = {}) {
    this.#opts = {
      reuse: opts.reuse ?? true,
      execArgv: opts.execArgv ?? [],
      maxJobs: opts.maxJobs ?? 100,
      maxAgeMs: opts.maxAgeMs ?? 30 * 60_000,
      maxRetainedBytes: opts.maxRetainedBytes ?? 8 * 2 ** 20,
    };
  }

  /** pid of the idle warm process, if any */
  get idlePid(): number | undefined {
    return this.#idle?.alive ? this.#idle.child.pid : undefined;
  }

  async run(job: DriverJob, opts: InferenceProcessOptions): Promise<InferenceRun> {
    if (opts.signal.aborted) throw new DriverError('aborted', 'inference aborted before it started');
    const worker = this.#take();
    this.#busy.add(worker);
    worker.busy();
    const shared = worker.jobsServed > 0;
    worker.jobsServed++;
    const facts: WorkerFacts = { pid: worker.child.pid ?? -1, shared, ageMs: performance.now() - worker.startedAt, jobsServed: worker.jobsServed };
    let outcome: { ok: true; run: InferenceRun } | { ok: false; error: DriverError } | undefined;
    try {
      outcome = await this.#runOn(worker, job, opts, facts);
    } finally {
      this.#busy.delete(worker);
      worker.onMessage(undefined);
    }
    const keep = outcome.ok && this.#opts.reuse && worker.alive && !this.#idle && worker.jobsServed < this.#opts.maxJobs && performance.now() - worker.startedAt < this.#opts.maxAgeMs;
    if (keep) {
      worker.idle();
      this.#idle = worker;
      worker.exited.then(() => {
        if (this.#idle === worker) this.#idle = undefined;
      });
      // its 'idle' report comes after the result: one that would hand the next job memory a fresh process does not have is replaced now
      const check = () => {
        if (this.#idle === worker && worker.retainedBytes > this.#opts.maxRetainedBytes) this.#replaceIdle(worker);
      };
      worker.onRetained = check;
      check();
    } else {
      // a failed process is never reused; a finished one that is not kept exits before the job settles
      if (worker.alive) worker.child.kill('SIGKILL');
      await worker.exited;
      if (this.#opts.reuse && !this.#idle && !this.#closed) this.#idle = this.#spare();
    }
    if (!outcome.ok) throw outcome.error;
    return outcome.run;
  }

  /** Retires the idle process and puts a fresh, warming one in its place. */
  #replaceIdle(retired: InferenceWorker): void {
    this.#idle = undefined;
    void retired.kill();
    if (!this.#closed) this.#idle = this.#spare();
  }

  /** A fresh process that is started now and waits, idle, for the next job (it warms onnxruntime up at start). */
  #spare(): InferenceWorker {
    const w = new InferenceWorker(this.#opts.execArgv);
    w.exited.then(() => {
      if (this.#idle === w) this.#idle = undefined;
    });
    return w;
  }

  /** Kills the idle process and every busy one, and waits until they have exited. */
  async close(): Promise<void> {
    this.#closed = true;
    const all = [...this.#busy, ...(this.#idle ? [this.#idle] : [])];
    this.#idle = undefined;
    await Promise.all(all.map((w) => w.kill()));
  }

  #take(): InferenceWorker {
    const idle = this.#idle;
    this.#idle = undefined;
    if (idle?.alive && idle.retainedBytes <= this.#opts.maxRetainedBytes) return idle;
    // it would hand the next job memory a fresh process does not have (peak memory): retire it
    if (idle?.alive) void idle.kill();
    return new InferenceWorker(this.#opts.execArgv);
  }

  #runOn(worker: InferenceWorker, job: DriverJob, opts: InferenceProcessOptions, facts: WorkerFacts): Promise<{ ok: true; run: InferenceRun } | { ok: false; error: DriverError }> {
    return new Promise((settle) => {
      let killedFor: 'timeout' | 'abort' | undefined;
      const kill = (why: 'timeout' | 'abort') => {
        if (killedFor !== undefined || !worker.alive) return;
        killedFor = why;
        worker.child.kill('SIGKILL');
      };
      const timer = setTimeout(() => kill('timeout'), opts.timeoutMs);
      const onAbort = () => kill('abort');
      opts.signal.addEventListener('abort', onAbort, { once: true });
      const done = (v: { ok: true; run: InferenceRun } | { ok: false; error: DriverError }) => {
        clearTimeout(timer);
        opts.signal.removeEventListener('abort', onAbort);
        settle(v);
      };

      let reply: ChildMessage | undefined;
      worker.onMessage((msg) => {
        reply ??= msg;
        // a reused process answers and stays; its reply settles the job at once
        if (msg.type === 'result' && msg.memory) facts.retainedBytes = Math.max(0, msg.memory.startRssBytes - msg.memory.baseRssBytes);
        if (killedFor === undefined && msg.type === 'result' && this.#opts.reuse) done({ ok: true, run: { result: msg.result, phases: msg.phases ?? {}, worker: facts } });
        // the child exits after an error by itself; do not wait for it (a failed process is never reused)
        else if (msg.type === 'error' && worker.alive) worker.child.kill('SIGKILL');
      });
      void worker.exited.then(() => {
        const { code, signal } = worker.exit ?? { code: null, signal: null };
        const fail = (c: DriverError['code'], message: string) => done({ ok: false, error: new DriverError(c, message) });
        if (killedFor === 'timeout') fail('timeout', `inference timed out after ${formatSeconds(opts.timeoutMs)}`);
        else if (killedFor === 'abort') fail('aborted', `inference aborted: ${reasonText(opts.signal.reason)}`);
        else if (reply?.type === 'result') done({ ok: true, run: { result: reply.result, phases: reply.phases ?? {}, worker: facts } });
        else if (reply?.type === 'error') fail(reply.error.code, reply.error.message);
        else if (worker.child.pid === undefined) fail('failed', 'could not start the inference process');
        else if (signal !== null) fail('crashed', `inference process crashed (signal ${signal})${tail(worker.stderrTail)}`);
        else fail('crashed', `inference process exited with code ${code} and no result${tail(worker.stderrTail)}`);
      });
      if (worker.child.pid !== undefined) opts.onProcess?.(worker.child.pid);
      const message: ParentMessage = { type: 'run', job, keepAlive: this.#opts.reuse };
      // a child that dies before reading this is reported by the exit handler
      if (worker.alive) worker.child.send(message, () => {});
    });
  }
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
