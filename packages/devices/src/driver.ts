import type {
  BenchmarkKind,
  BenchmarkSettings,
  DatasetHeader,
  DeviceRegistration,
  ModelSignature,
  ResultEnvironment,
  ResultSummary,
  Scenario,
} from '@edgeproof/contracts';

/** Everything a driver needs to run one benchmark; artifacts are already on local disk. */
export interface DriverJob {
  jobId: string;
  /** the run the job belongs to: jobs of one batch share it */
  runId?: string;
  /** the job's place among its run's jobs queued back to back for this device (EvaluateJobPayload.deviceBatch) */
  batch?: { index: number; size: number };
  benchmark: BenchmarkKind;
  model: { path: string; sha256: string; format: 'onnx' | 'tflite'; signature: ModelSignature };
  /** latency only: a baseline to measure in the same session, alternating with `model` (interleaved A/B) */
  baseline?: { path: string; sha256: string; format: 'onnx' | 'tflite'; signature: ModelSignature; version: string };
  /** present when the benchmark reads a dataset (accuracy, or inputSource 'dataset') */
  dataset: { path: string; sha256: string; header: DatasetHeader } | null;
  settings: BenchmarkSettings;
  /** benchmark "feature": the feature build and its pinned models, on local disk */
  feature?: { name: string; version: string; platform: 'web' | 'android'; path: string; sha256: string; models: Record<string, { path: string; name: string; version: string; format?: 'onnx' | 'tflite' }> };
  /** benchmark "feature": the scenario replayed, its video and ground truth on local disk */
  scenario?: { manifest: Scenario; videoPath: string; groundTruthPath: string };
}

/** What the agent posts back as the job's result (plus the attempt number). */
export interface DriverResult {
  summary: ResultSummary;
  /**
   * latency: every measured run in ms; accuracy: per-sample top-1 correctness (1/0) in file order;
   * parity: per input set, the largest absolute error over all outputs.
   */
  rawSamples: number[];
  environment: ResultEnvironment;
}

export interface HealthReport {
  ok: boolean;
  reason?: string;
  /** when the driver actually probed the device (ms epoch); a cached answer repeats it; 0 = not probed yet */
  checkedAt?: number;
  /** pre-job checks: how long the device was left to cool down before it was fit to run */
  cooldownWaitMs?: number;
}

/**
 * One platform (host CPU, browser, Android, ...). Shared code talks to devices only through this;
 * a driver answers for every device it discovers.
 */
export interface DeviceDriver {
  /** the `driver` field of the registrations it returns */
  readonly kind: string;
  /** the devices this driver can serve right now */
  discover(): Promise<DeviceRegistration[]>;
  healthCheck(device: DeviceRegistration): Promise<HealthReport>;
  /**
   * Right before a job (optional; healthCheck is used when absent): may wait for the device to become fit,
   * e.g. a hot phone cooling down, and reports the wait in `cooldownWaitMs`.
   */
  preJobCheck?(device: DeviceRegistration, signal: AbortSignal): Promise<HealthReport>;
  /** runs one benchmark on one device; rejects with a DriverError; must stop promptly when `signal` aborts */
  run(device: DeviceRegistration, job: DriverJob, signal: AbortSignal): Promise<DriverResult>;
  dispose(): Promise<void>;
}

export type DriverErrorCode =
  | 'unsupported' // the device cannot run this kind of model or benchmark
  | 'invalid_model' // the runtime rejects the model
  | 'invalid_input' // settings or dataset do not fit the model (missing dimension, wrong shape, ...)
  | 'timeout'
  | 'crashed'
  | 'aborted'
  | 'failed';

const NOT_RETRYABLE: ReadonlySet<DriverErrorCode> = new Set(['unsupported', 'invalid_model', 'invalid_input']);

/** A failed run. `retryable` is false when running the same job again cannot succeed. */
export class DriverError extends Error {
  override name = 'DriverError';
  readonly code: DriverErrorCode;
  readonly retryable: boolean;

  constructor(code: DriverErrorCode, message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.code = code;
    this.retryable = !NOT_RETRYABLE.has(code);
  }
}
