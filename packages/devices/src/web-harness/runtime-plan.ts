import type { HarnessExecutionProvider, HarnessRuntime } from '@edgeproof/harness-web';
import { DriverError, type DriverJob } from '../driver.ts';

/** One runtime a harness job runs its model on, e.g. "litert/wasm". */
export interface RuntimePlan {
  /** as devices advertise it: `${runtime}/${executionProvider}` */
  label: string;
  runtime: HarnessRuntime;
  executionProvider: HarnessExecutionProvider;
}

export interface SkippedRuntime {
  runtime: string;
  reason: string;
}

/** The page runtime that runs each model format. */
export const RUNTIME_OF_FORMAT: Record<DriverJob['model']['format'], HarnessRuntime> = { onnx: 'onnxruntime-web', tflite: 'litert' };

const LABEL = /^(onnxruntime-web|litert)\/(wasm|webgpu)$/;

export function runtimeLabel(runtime: HarnessRuntime, ep: HarnessExecutionProvider): string {
  return `${runtime}/${ep}`;
}

/**
 * The runtimes a harness job runs on: settings.runtimes where the model's format allows them (an ONNX
 * model runs on onnxruntime-web/*, a TFLite model on litert/*; others are skipped, with the reason),
 * or, when the run names none, the device's own runtime for the format on its execution provider.
 * A runtime of the right family that the device cannot run (webgpu without an adapter) fails the job:
 * a gate that asked for litert/webgpu numbers must not get wasm numbers instead.
 *
 * `advertised`: the device's runtimes; wasm always runs in a browser, webgpu only when advertised.
 */
export function planRuntimes(
  job: DriverJob,
  defaultEp: HarnessExecutionProvider,
  advertised: readonly string[],
): { plans: RuntimePlan[]; skipped: SkippedRuntime[] } {
  const format = job.model.format;
  const family = RUNTIME_OF_FORMAT[format];
  if (job.baseline && job.baseline.format !== format) {
    throw new DriverError('unsupported', `an interleaved A/B needs candidate and baseline in one format, not ${format} and ${job.baseline.format}`);
  }
  const requested = job.settings.runtimes ?? [runtimeLabel(family, defaultEp)];
  const plans: RuntimePlan[] = [];
  const skipped: SkippedRuntime[] = [];
  for (const label of new Set(requested)) {
    const m = LABEL.exec(label);
    if (!m) {
      skipped.push({ runtime: label, reason: `a browser device runs onnxruntime-web/{wasm,webgpu} and litert/{wasm,webgpu}, not "${label}"` });
      continue;
    }
    const runtime = m[1] as HarnessRuntime;
    const executionProvider = m[2] as HarnessExecutionProvider;
    if (runtime !== family) {
      skipped.push({ runtime: label, reason: `a ${format} model runs on ${family}/*, ${runtime} cannot load it (${runtime === 'litert' ? 'LiteRT.js runs .tflite files' : 'onnxruntime-web runs .onnx files'})` });
      continue;
    }
    if (executionProvider !== 'wasm' && !advertised.includes(label)) {
      throw new DriverError('unsupported', `settings.runtimes asks for ${label}, but this device has no WebGPU adapter (its runtimes: ${advertised.join(', ')}); no fallback to wasm is made`);
    }
    plans.push({ label, runtime, executionProvider });
  }
  if (plans.length === 0) {
    throw new DriverError('unsupported', `none of settings.runtimes can run this ${format} model: ${skipped.map((s) => `${s.runtime}: ${s.reason}`).join('; ')}`);
  }
  return { plans, skipped };
}
