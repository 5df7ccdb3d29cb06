/**
 * The inference process: receives one job over IPC, runs it with onnxruntime-node, sends back the result
 * or the error, and exits. Started by inference-process.ts; never imported.
 */
import { Worker } from 'node:worker_threads';
import { DriverError, type DriverJob, type DriverResult } from '../driver.ts';
import { runAccuracy } from './accuracy.ts';
import { runInterleavedLatency } from './interleaved-latency.ts';
import { runLatency } from './latency.ts';
import { runParity } from './parity.ts';
import type { ChildMessage, ParentMessage } from './protocol.ts';

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

function reply(msg: ChildMessage): void {
  process.send?.(msg, undefined, undefined, () => process.exit(0));
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

process.once('message', (msg: ParentMessage) => {
  run(msg.job).then(
    (result) => reply({ type: 'result', result }),
    (err: unknown) => {
      const error =
        err instanceof DriverError
          ? { code: err.code, message: err.message }
          : { code: 'failed' as const, message: err instanceof Error ? err.message : String(err) };
      reply({ type: 'error', error });
    },
  );
});
