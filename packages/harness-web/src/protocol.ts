/**
 * What the agent asks the harness page to do and what the page answers, through WebDriver
 * `executeAsync`. Plain JSON both ways: tensors travel as base64 of their little-endian bytes.
 */

export type HarnessBenchmark = 'latency' | 'accuracy' | 'parity';

/** 'wasm' always works; 'webgpu' only where the browser hands out a GPU adapter. */
export type HarnessExecutionProvider = 'wasm' | 'webgpu';

/** The inference runtime the page runs a job with: onnxruntime-web for ONNX, LiteRT.js for TFLite. */
export type HarnessRuntime = 'onnxruntime-web' | 'litert';

/** Same meaning as the fields of BenchmarkSettings of the same names. */
export interface HarnessLoopSettings {
  warmupMinRuns: number;
  warmupMinSeconds: number;
  measureMinRuns: number;
  measureMinSeconds: number;
  measureMaxRuns: number;
  measureMaxSeconds: number;
}

export interface HarnessSpec extends HarnessLoopSettings {
  benchmark: HarnessBenchmark;
  /** default 'onnxruntime-web'; 'litert' runs .tflite models with LiteRT.js (baseline included) */
  runtime?: HarnessRuntime;
  /** URLs of this job's files on the harness server (same origin as the page) */
  modelUrl: string;
  inputsUrl: string;
  /** ort.env.wasm.numThreads: 1 spawns no worker; more needs crossOriginIsolated */
  threads: number;
  /** ort.env.wasm.simd: onnxruntime-web 1.30 ships SIMD builds only, so this picks the SIMD flavour checked (LiteRT.js picks its own build) */
  simd: 'fixed' | 'relaxed';
  /** onnxruntime-web execution provider, or LiteRT.js accelerator ('wasm' = XNNPACK on wasm) */
  executionProvider: HarnessExecutionProvider;
  /** accuracy: the output holding class scores, and how many leading values of it to return per sample */
  scoreOutput?: string;
  labelCount?: number;
  /** Compute Pressure sample interval; default 1000 ms */
  pressureSampleIntervalMs?: number;
  /**
   * latency only: a baseline model (and its own input pack) measured in the same page, alternating
   * with the model in blocks (A B B A …), so that load, drift and heat hit both alike
   */
  baseline?: { modelUrl: string; inputsUrl: string };
}

/** A tensor's values: numeric types as base64 of the typed array's bytes, strings as they are. */
export type EncodedTensor =
  | { type: string; dims: number[]; base64: string }
  | { type: 'string'; dims: number[]; strings: string[] };

export interface LatencyTimings {
  sessionCreateMs: number;
  firstInferenceMs: number;
  warmupRuns: number;
  warmupSeconds: number;
  measureSeconds: number;
  /** every measured run, ms, performance.now() around one inference inside the page (see HarnessSuccess.timing) */
  samples: number[];
}

export interface PressureRecordOut {
  state: string;
  /** ms since the page's time origin */
  time: number;
}

export interface BrowserReport {
  userAgent: string;
  hardwareConcurrency: number;
  platform: string;
  /** navigator.deviceMemory (GiB, rounded by the browser), when exposed */
  deviceMemoryGb: number | null;
  crossOriginIsolated: boolean;
  /** performance.memory (Chromium only): JS heap, not the wasm heap or the process */
  memory: { usedJSHeapSize: number; totalJSHeapSize: number; jsHeapSizeLimit: number; peakUsedJSHeapSize: number } | null;
  /** Compute Pressure ('cpu') states observed while the benchmark ran */
  pressure: { supported: boolean; records: PressureRecordOut[]; error?: string };
  /** whether navigator.gpu gave an adapter */
  webgpuAdapter: boolean;
  /** smallest step performance.now() took in a tight loop (5 µs when cross-origin isolated in Chromium, 100 µs otherwise) */
  timerResolutionMs: number;
}

export interface HarnessSuccess {
  ok: true;
  runtime: HarnessRuntime;
  runtimeVersion: string;
  executionProvider: HarnessExecutionProvider;
  threads: number;
  simd: string;
  inputNames: string[];
  outputNames: string[];
  /** what one timed inference covers, and what sessionCreateMs covers, for this runtime */
  timing: string;
  /** runtime facts for environment.extra (LiteRT.js: the wasm build loaded, accelerator, tensor details, full acceleration) */
  runtimeDetails: Record<string, unknown>;
  /** latency */
  latency?: LatencyTimings;
  /** latency with spec.baseline: the baseline's timings, measured interleaved with `latency` */
  baselineLatency?: LatencyTimings;
  /** latency with spec.baseline: how the two were interleaved */
  interleaveOrder?: string;
  /** accuracy: per sample, the first labelCount values of scoreOutput, as one float64 tensor [samples, labelCount] */
  scores?: EncodedTensor;
  /** parity: per input set, every output */
  outputs?: Record<string, EncodedTensor>[];
  browser: BrowserReport;
}

export type HarnessErrorCode = 'invalid_model' | 'invalid_input' | 'unsupported' | 'failed';

export interface HarnessFailure {
  ok: false;
  /** not `error`: WebDriver clients read a returned value with an `error` key as a protocol error */
  failure: { code: HarnessErrorCode; message: string };
  browser?: BrowserReport;
}

export type HarnessResult = HarnessSuccess | HarnessFailure;

/** The fields of a job that set a page's runtime up: a page prepared with them runs only a job that has the same. */
export type HarnessPrepare = Pick<HarnessSpec, 'runtime' | 'threads' | 'simd' | 'executionProvider'>;

/** `prepare` started the runtime (onnxruntime-web: its wasm backend, through a one-node model; LiteRT.js: loadLiteRt) and loaded no model of the job. */
export type HarnessPrepared = { ok: true; key: string; runtimeStartMs: number } | HarnessFailure;

/** The same string for every spec that sets the runtime up alike. */
export function prepareKey(p: HarnessPrepare): string {
  return `${p.runtime ?? 'onnxruntime-web'}/${p.executionProvider} threads=${p.threads} simd=${p.simd}`;
}

/** The page's global, set once its script has loaded. */
export interface HarnessGlobal {
  ready: true;
  run(spec: HarnessSpec): Promise<HarnessResult>;
  /** Starts the runtime before a job comes (off the job's clock); once per page load, before `run`. */
  prepare(p: HarnessPrepare): Promise<HarnessPrepared>;
}

export const HARNESS_GLOBAL = 'edgeproofHarness';
