/**
 * The host device's measured onnxruntime-node session and the runtime's warm-up; loading models,
 * feeds and outputs are shared with the parity reference (../reference/onnx-session.ts).
 */
import * as ort from 'onnxruntime-node';

/** The session that is measured: cpu, `threads` intra-op threads, one inter-op thread, all graph optimizations. */
export function deviceSessionOptions(threads: number): ort.InferenceSession.SessionOptions {
  return {
    executionProviders: ['cpu'],
    intraOpNumThreads: threads,
    interOpNumThreads: 1,
    executionMode: 'sequential',
    graphOptimizationLevel: 'all',
  };
}

/** A one-node ONNX model (Identity, float [1]), built with onnx-proto: only for warming the runtime up. */
const WARMUP_MODEL = 'CAcSEGVkZ2Vwcm9vZi13YXJtdXA6PAoQCgF4EgF5IghJZGVudGl0eRIGd2FybXVwWg8KAXgSCgoICAESBAoCCAFiDwoBeRIKCggIARIECgIIAUIECgAQDQ==';

/**
 * Creates, runs and releases a session of a trivial model, so onnxruntime's one-time set-up in a
 * process (~150–300 ms here) is never part of a job's sessionCreateMs / firstInferenceMs: without it,
 * the first job of a process would measure it and later jobs of a kept process would not.
 */
export async function warmUpRuntime(): Promise<void> {
  const session = await ort.InferenceSession.create(Buffer.from(WARMUP_MODEL, 'base64'), deviceSessionOptions(1));
  await session.run({ x: new ort.Tensor('float32', new Float32Array([1]), [1]) });
  await session.release();
}

export function runtimeVersion(): string {
  return ort.env.versions.node ?? ort.env.versions.common;
}
