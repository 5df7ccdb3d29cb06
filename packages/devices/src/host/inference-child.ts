/**
 * The inference process: receives a job over IPC, runs it with onnxruntime-node, sends back the result
 * (with its phase marks) or the error. It exits after an error, and after a result unless the parent
 * asked it to stay for the next job (keepAlive). Started by inference-process.ts; never imported.
 * Nothing of a job outlives it but the process itself: each job creates and releases its own sessions.
 */
import { Worker } from 'node:worker_threads';
import { DriverError, type DriverJob, type DriverResult } from '../driver.ts';
import { runAccuracy } from './accuracy.ts';
import { runInterleavedLatency } from './interleaved-latency.ts';
import { runLatency } from './latency.ts';
import { runParity } from './parity.ts';
import { resetPeakMemory, rssBytes, takePhases } from './phases.ts';
import type { ChildMessage, ParentMessage } from './protocol.ts';
import { warmUpRuntime } from './device-session.ts';

function run(job: DriverJob): Promise<DriverResult> {
  switch (job.benchmark) {
    case 'latency':
      return job.baseline ? runInterleavedLatency(job, job.baseline) : runLatency(job);
    case 'accuracy':
      return runAccuracy(job);
    case 'parity':
      return runParity(job);
    case 'feature':
      return Promise.reject(new DriverError('unsupported', 'the host device does not replay camera features (use a browser or Android device)'));
  }
}

function reply(msg: ChildMessage, exit: boolean): void {
  process.send?.(msg, undefined, undefined, () => {
    if (exit) process.exit(0);
  });
}

// the agent went away: nobody is left to read a result
process.on('disconnect', () => process.exit(1));

// A native session.run blocks this thread, so 'disconnect' may never be handled; a watchdog thread
// kills the process once it has been re-parented (the agent died without killing it).
new Worker(
  `const { workerData } = require('node:worker_threads');
   setInterval(() => { if (process.ppid !== workerData.ppid) process.kill(process.pid, 'SIGKILL'); }, 1000);`,
  { eval: true, workerData: { ppid: process.ppid } },
).unref();

const gc = () => (globalThis as { gc?: () => void }).gc?.();
// what this process held at the start of its first job (fresh)
let freshRssBytes: number | undefined;
/*
 * What it holds once its first job is over (garbage collected): a kept process is compared with it,
 * not with the fresh figure, because a first job grows the process by ~17 MB (MNIST MLP, here) that
 * a fresh process grows by during its own job as well: kept and fresh peaks then differ by ~2 MB.
 */
let baseRssBytes: number | undefined;

// onnxruntime's one-time set-up happens here, not inside the first job's session creation
const warm = warmUpRuntime().catch(() => {});

process.on('message', async (msg: ParentMessage) => {
  await warm;
  // a kept process: drop what earlier jobs left on the JS heap before the peak-RSS mark is reset
  gc();
  const startRssBytes = rssBytes();
  freshRssBytes ??= startRssBytes;
  const memory = { baseRssBytes: baseRssBytes ?? startRssBytes, startRssBytes };
  resetPeakMemory();
  takePhases();
  run(msg.job).then(
    (result) => {
      reply({ type: 'result', result, phases: takePhases(), memory }, msg.keepAlive !== true);
      // off the job's clock: how much this process keeps once the job's garbage is gone (the parent retires it above a limit)
      if (msg.keepAlive) {
        setImmediate(() => {
          gc();
          const now = rssBytes();
          baseRssBytes ??= now;
          process.send?.({ type: 'idle', rssBytes: now, baseRssBytes, freshRssBytes: freshRssBytes ?? now } satisfies ChildMessage);
        });
      }
    },
    (err: unknown) => {
      const error =
        err instanceof DriverError
          ? { code: err.code, message: err.message }
          : { code: 'failed' as const, message: err instanceof Error ? err.message : String(err) };
      reply({ type: 'error', error }, true);
    },
  );
});
