import type { ContentionThresholds, DeviceTiming, ResultEnvironment } from '@edgeproof/contracts';
import type { DriverJob, DriverResult } from '../driver.ts';
import { contentionFields, contentionThresholds } from '../load/contention.ts';
import type { InferenceWorkers } from './inference-process.ts';
import { LoadSampler } from '../load/sampler.ts';
import type { JobPhases } from './phases.ts';

export interface MeasuredRunOptions {
  timeoutMs: number;
  signal: AbortSignal;
  thresholds?: ContentionThresholds;
  /** default 100 ms */
  sampleIntervalMs?: number;
}

const epochNow = () => performance.timeOrigin + performance.now();
const r1 = (x: number) => Math.max(0, Math.round(x * 10) / 10);

/**
 * One host job in an inference process, with what the agent saw around it: the machine's load over
 * the measurement window (sampled from this process while the child measures), whether that is
 * contention, and where the device time went (set-up, warmup, measurement, teardown), measured from
 * this call to the result being in hand (a process that is not kept has exited by then).
 */
export async function runMeasured(workers: InferenceWorkers, job: DriverJob, opts: MeasuredRunOptions): Promise<DriverResult> {
  const startMs = epochNow();
  let pid: number | undefined;
  const sampler = new LoadSampler({
    pids: () => (pid === undefined ? [] : [pid]),
    intervalMs: opts.sampleIntervalMs ?? 100,
    method: `/proc/stat, /proc/loadavg and the inference process's /proc/<pid>/task every ${opts.sampleIntervalMs ?? 100} ms, read by the agent; CPU over the measurement window`,
  }).start();
  let run;
  try {
    run = await workers.run(job, { timeoutMs: opts.timeoutMs, signal: opts.signal, onProcess: (p) => {
      pid = p;
      // a kept process has CPU time from earlier jobs: the window must start from a sample that knows it
      sampler.sampleNow(true);
    } });
  } finally {
    sampler.stop();
  }
  const endMs = epochNow();
  const { phases, worker, result } = run;
  const timing: DeviceTiming = {
    ...splitTiming(startMs, endMs, phases),
    method: 'agent clock from HostDriver.run to the result in hand; phase marks from the inference process (performance.timeOrigin + now())',
    sharedWorker: worker.shared,
    workerAgeMs: Math.round(worker.ageMs),
    workerJobsServed: worker.jobsServed,
    ...(worker.retainedBytes !== undefined ? { workerRetainedBytes: worker.retainedBytes } : {}),
    ...(job.batch ? { batch: job.batch } : {}),
    // every job loads its own model session in the process: only the process (and its started onnxruntime) is shared
    shared: worker.shared ? ['inference process (Node + onnxruntime-node, started before the job)'] : [],
  };
  const window = phases.measureStartMs !== undefined && phases.measureEndMs !== undefined ? sampler.summarize(phases.measureStartMs, phases.measureEndMs) : null;
  const environment: ResultEnvironment = {
    ...result.environment,
    // load cannot change what accuracy and parity measure: only latency is judged for contention
    ...(job.benchmark === 'latency' ? contentionFields(window, opts.thresholds ?? contentionThresholds()) : window ? { hostLoad: window } : {}),
    timing,
  };
  return { ...result, environment };
}

/** Set-up = start → warmup start, teardown = measurement end → end; without marks everything is set-up. */
export function splitTiming(startMs: number, endMs: number, p: JobPhases): Pick<DeviceTiming, 'setupMs' | 'warmupMs' | 'measuredMs' | 'teardownMs' | 'totalMs'> {
  const totalMs = endMs - startMs;
  if (p.measureStartMs === undefined || p.measureEndMs === undefined) {
    return { setupMs: r1(totalMs), warmupMs: 0, measuredMs: 0, teardownMs: 0, totalMs: r1(totalMs) };
  }
  const warmupStart = p.warmupStartMs ?? p.measureStartMs;
  return {
    setupMs: r1(warmupStart - startMs),
    warmupMs: r1(p.measureStartMs - warmupStart),
    measuredMs: r1(p.measureEndMs - p.measureStartMs),
    teardownMs: r1(endMs - p.measureEndMs),
    totalMs: r1(totalMs),
  };
}
