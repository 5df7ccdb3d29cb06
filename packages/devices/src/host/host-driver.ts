import os from 'node:os';
import type { DeviceRegistration, DeviceTier } from '@edgeproof/contracts';
import { DriverError, type DeviceDriver, type DriverJob, type DriverResult, type HealthReport } from '../driver.ts';
import { runInInferenceProcess } from './inference-process.ts';

export interface HostDriverOptions {
  /** default "host" */
  localKey?: string;
  /** default "mid" */
  tier?: DeviceTier;
  tags?: string[];
  /** the device reports unhealthy below this much free memory (MiB); default 256 */
  minFreeMemoryMb?: number;
  /** extra node flags for each inference process */
  inferenceExecArgv?: string[];
}

/** The agent's own machine: onnxruntime-node on the CPU, one inference process per job. */
export class HostDriver implements DeviceDriver {
  readonly kind = 'host';
  readonly #opts: HostDriverOptions;
  readonly #running = new Map<AbortController, Promise<unknown>>();

  constructor(opts: HostDriverOptions = {}) {
    this.#opts = opts;
  }

  async discover(): Promise<DeviceRegistration[]> {
    const cpu = os.cpus()[0]?.model?.trim();
    return [
      {
        localKey: this.#opts.localKey ?? 'host',
        platform: os.platform(),
        driver: this.kind,
        osVersion: `${os.type()} ${os.release()}`,
        ...(cpu ? { cpu } : {}),
        cores: os.availableParallelism(),
        ramMb: Math.round(os.totalmem() / 2 ** 20),
        tier: this.#opts.tier ?? 'mid',
        tags: this.#opts.tags ?? [],
        runtimes: ['onnxruntime-node'],
        attributes: { arch: os.arch(), hostname: os.hostname() },
      },
    ];
  }

  async healthCheck(_device: DeviceRegistration): Promise<HealthReport> {
    const freeMb = Math.floor(os.freemem() / 2 ** 20);
    const min = this.#opts.minFreeMemoryMb ?? 256;
    if (freeMb < min) return { ok: false, reason: `low memory: ${freeMb} MiB free, below ${min} MiB` };
    return { ok: true };
  }

  async run(_device: DeviceRegistration, job: DriverJob, signal: AbortSignal): Promise<DriverResult> {
    if (job.model.format !== 'onnx') {
      throw new DriverError('unsupported', `the host driver runs ONNX models only, not ${job.model.format}`);
    }
    // dispose() must be able to stop the job as well as the caller's signal
    const own = new AbortController();
    const onAbort = () => own.abort(signal.reason);
    if (signal.aborted) own.abort(signal.reason);
    else signal.addEventListener('abort', onAbort, { once: true });
    const running = runInInferenceProcess(job, {
      timeoutMs: job.settings.timeoutSeconds * 1000,
      signal: own.signal,
      ...(this.#opts.inferenceExecArgv ? { execArgv: this.#opts.inferenceExecArgv } : {}),
    });
    this.#running.set(own, running);
    try {
      return await running;
    } finally {
      signal.removeEventListener('abort', onAbort);
      this.#running.delete(own);
    }
  }

  /** Kills every running inference process and waits until they have exited. */
  async dispose(): Promise<void> {
    for (const c of this.#running.keys()) c.abort(new Error('driver disposed'));
    await Promise.allSettled(this.#running.values());
  }
}
