/**
 * The slice of the onnxruntime API the bundles use. Both onnxruntime-web (browser harness) and
 * onnxruntime-node fit it; the harness passes its instance to `init`, so bundles ship no runtime.
 */
export interface OrtTensorLike {
  readonly data: unknown;
  readonly dims: readonly number[];
  dispose?(): void;
}

export interface OrtSessionLike {
  run(feeds: Record<string, OrtTensorLike>): Promise<Record<string, OrtTensorLike | undefined>>;
  release?(): Promise<void>;
}

export interface OrtLike {
  InferenceSession: { create(model: string, options?: Record<string, unknown>): Promise<OrtSessionLike> };
  Tensor: new (type: 'float32', data: Float32Array, dims: readonly number[]) => OrtTensorLike;
  env?: { wasm?: { numThreads?: number } };
}

export function isOrtLike(value: unknown): value is OrtLike {
  const v = value as Partial<OrtLike> | null;
  return typeof v === 'object' && v !== null && typeof v.InferenceSession?.create === 'function' && typeof v.Tensor === 'function';
}
