import os from 'node:os';
import type { ContentionThresholds, DeviceRegistration, DeviceTier } from '@edgeproof/contracts';
import { DriverError, type DeviceDriver, type DriverJob, type DriverResult, type HealthReport } from '../driver.ts';
import type { LocalChromiumOptions } from '../web-harness/local-chromium.ts';
import { InferenceWorkers } from './inference-process.ts';
import { runMeasured } from './measured-run.ts';
import { HostLiteRt } from './litert-host.ts';

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
  /** keep the inference process between jobs (replaced after any failure); default true (host/README.md) */
  reuseInferenceProcess?: boolean;
  /** load above which a latency result is flagged contended; default contentionThresholds() (CONTENTION_* env, else the defaults) */
  contention?: ContentionThresholds;
  /**
   * TFLite jobs run with LiteRT.js (wasm) in the agent's own headless Chromium: its binaries (default
   * /usr/bin/chromium, /usr/bin/chromedriver); false: refuse TFLite. litert/wasm is advertised only
   * when both binaries run.
   */
  litert?: LocalChromiumOptions | false;
}

/**
 * The agent's own machine: onnxruntime-node on the CPU in an inference process kept between jobs; TFLite with
 * LiteRT.js in the agent's own headless Chromium (litert-host.ts).
 */
export class HostDriver implements DeviceDriver {
  readonly kind = 'host';
  readonly #opts: HostDriverOptions;
  readonly #running = new Map<AbortController, Promise<unknown>>();
  readonly #workers: InferenceWorkers;
  readonly #litert: HostLiteRt | undefined;

  constructor(opts: HostDriverOptions = {}) {
    this.#opts = opts;
    this.#workers = new InferenceWorkers({ reuse: opts.reuseInferenceProcess ?? true, ...(opts.inferenceExecArgv ? { execArgv: opts.inferenceExecArgv } : {}) });
    this.#litert = opts.litert === false ? undefined : new HostLiteRt(opts.litert ?? {});
  }

  /** pid of the warm inference process waiting for the next job, if any */
  get idleInferencePid(): number | undefined {
    return this.#workers.idlePid;
  }

  async discover(): Promise<DeviceRegistration[]> {
    const cpu = os.cpus()[0]?.model?.trim();
    const litertMissing = this.#litert ? await this.#litert.unavailableReason() : 'disabled (HostDriverOptions.litert = false)';
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
        runtimes: litertMissing === null ? ['onnxruntime-node', 'litert/wasm'] : ['onnxruntime-node'],
        attributes: { arch: os.arch(), hostname: os.hostname(), ...(litertMissing === null ? {} : { litertUnavailable: litertMissing }) },
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
    const litert = job.model.format === 'tflite' ? await this.#litertFor(job) : undefined;
    // dispose() must be able to stop the job as well as the caller's signal
    const own = new AbortController();
    const onAbort = () => own.abort(signal.reason);
    if (signal.aborted) own.abort(signal.reason);
    else signal.addEventListener('abort', onAbort, { once: true });
    const running = litert
      ? litert.run(job, own.signal)
      : runMeasured(this.#workers, job, {
          timeoutMs: job.settings.timeoutSeconds * 1000,
          signal: own.signal,
          ...(this.#opts.contention ? { thresholds: this.#opts.contention } : {}),
        });
    this.#running.set(own, running);
    try {
      return await running;
    } finally {
      signal.removeEventListener('abort', onAbort);
      this.#running.delete(own);
    }
  }

  /** TFLite runs on litert/wasm only; the job must not ask for another runtime. */
  async #litertFor(job: DriverJob): Promise<HostLiteRt> {
    const missing = this.#litert ? await this.#litert.unavailableReason() : 'it is disabled on this agent';
    if (!this.#litert || missing !== null) {
      throw new DriverError('unsupported', `the host driver runs TFLite models with LiteRT.js in the agent's own Chromium, and ${missing}`);
    }
    const other = job.settings.runtimes?.filter((r) => r !== 'litert/wasm' && r !== 'onnxruntime-node');
    if (other?.length) throw new DriverError('unsupported', `the host device runs TFLite on litert/wasm only, not ${other.join(', ')}`);
    return this.#litert;
  }

  /** Kills every running inference process and local Chromium, waits until they have exited. */
  async dispose(): Promise<void> {
    for (const c of this.#running.keys()) c.abort(new Error('driver disposed'));
    await Promise.allSettled(this.#running.values());
    await this.#workers.close();
    await this.#litert?.close();
  }
}
