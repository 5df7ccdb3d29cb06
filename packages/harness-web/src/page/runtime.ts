/**
 * What the page's benchmark procedures (benchmarks.ts, interleaved.ts) need from an inference runtime,
 * so the same latency / accuracy / parity / interleaved code runs on onnxruntime-web (ort-runtime.ts)
 * and on LiteRT.js (litert-runtime.ts).
 */
import type { PackedSet } from '../input-pack.ts';
import type { HarnessErrorCode, HarnessRuntime } from '../protocol.ts';

/** A failure the page reports with a code the driver maps to DriverError. */
export class HarnessError extends Error {
  override name = 'HarnessError';
  readonly code: HarnessErrorCode;

  constructor(code: HarnessErrorCode, message: string) {
    super(message);
    this.code = code;
  }
}

/** An output copied out of the runtime into plain JS memory. */
export interface HostTensor {
  /** element type, spelled as onnxruntime spells it (float32, uint8, int32, ...) */
  type: string;
  dims: number[];
  data: ArrayBufferView | readonly string[];
}

/** Input tensors of one set, made once by a session and reused for every run of that set. */
export type Feeds = { readonly __feeds: unique symbol };

export interface RuntimeSession {
  readonly inputNames: readonly string[];
  readonly outputNames: readonly string[];
  /** the runtime's input tensors for one input set (checked against the model's inputs) */
  feeds(set: PackedSet): Feeds;
  /**
   * One timed inference: resolves once every output is in CPU-visible memory (GPU work finished);
   * the outputs are dropped. This is the region performance.now() brackets in the latency loops.
   */
  run(feeds: Feeds): Promise<void>;
  /** One inference whose outputs (all when `outputs` is omitted) are copied out and returned. */
  read(feeds: Feeds, outputs?: readonly string[]): Promise<Record<string, HostTensor>>;
  /** frees the tensors of feeds() (LiteRT.js tensors live in the wasm heap until deleted) */
  dropFeeds(feeds: Feeds): void;
  release(): Promise<void>;
}

export interface PageRuntime {
  readonly name: HarnessRuntime;
  readonly version: string;
  readonly threads: number;
  /** the SIMD flavour of the wasm build running */
  readonly simd: string;
  /** what one timed inference and session creation cover (goes into environment.extra.timing) */
  readonly timing: string;
  /** facts about the runtime and the last session made (environment.extra.runtimeDetails) */
  details(): Record<string, unknown>;
  /** loads and compiles a model: onnxruntime-web InferenceSession.create, LiteRT.js loadAndCompile */
  createSession(model: Uint8Array): Promise<RuntimeSession>;
}

export const messageOf = (err: unknown) => (err instanceof Error ? err.message : String(err));

/** One inference through `session.run`, with a runtime failure reported as `failed`. */
export async function runOnce(session: RuntimeSession, feeds: Feeds): Promise<void> {
  try {
    await session.run(feeds);
  } catch (err) {
    if (err instanceof HarnessError) throw err;
    throw new HarnessError('failed', `inference failed: ${messageOf(err)}`);
  }
}

export async function readOnce(session: RuntimeSession, feeds: Feeds, outputs?: readonly string[]): Promise<Record<string, HostTensor>> {
  try {
    return await session.read(feeds, outputs);
  } catch (err) {
    if (err instanceof HarnessError) throw err;
    throw new HarnessError('failed', `inference failed: ${messageOf(err)}`);
  }
}
