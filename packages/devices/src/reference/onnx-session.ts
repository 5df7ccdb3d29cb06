/**
 * onnxruntime-node sessions as the host device and the ONNX parity reference both open them: loading
 * a model (a load failure is `invalid_model`), feeds from generated or dataset tensors, outputs as
 * doubles, and the reference session's options. The measured (device) session is host/device-session.ts.
 */
import * as ort from 'onnxruntime-node';
import type { GeneratedTensor } from '@edgeproof/models';
import { DriverError } from '../driver.ts';

export type Feeds = Record<string, ort.Tensor>;

/** The parity reference: the plainest way onnxruntime can run the graph. */
export const REFERENCE_SESSION_OPTIONS: ort.InferenceSession.SessionOptions = {
  executionProviders: ['cpu'],
  intraOpNumThreads: 1,
  interOpNumThreads: 1,
  executionMode: 'sequential',
  graphOptimizationLevel: 'disabled',
};

export const REFERENCE_SETTINGS_TEXT =
  'intraOpNumThreads=1 interOpNumThreads=1 executionMode=sequential graphOptimizationLevel=disabled';

export async function createSession(
  modelPath: string,
  options: ort.InferenceSession.SessionOptions,
): Promise<ort.InferenceSession> {
  try {
    return await ort.InferenceSession.create(modelPath, options);
  } catch (err) {
    const message = err instanceof Error ? err.message : String(err);
    throw new DriverError('invalid_model', `onnxruntime-node could not load the model: ${message}`, { cause: err });
  }
}

export function toFeeds(tensors: Record<string, GeneratedTensor>, inputNames: readonly string[]): Feeds {
  const feeds: Feeds = {};
  for (const name of inputNames) {
    const t = tensors[name];
    if (t === undefined) throw new DriverError('invalid_input', `no value for model input "${name}"`);
    const type = (t.elementType === 'bool' ? 'bool' : t.elementType) as ort.Tensor.Type;
    feeds[name] = new ort.Tensor(type, t.data as ort.Tensor.DataType, t.dims);
  }
  return feeds;
}

/** Numeric tensor values as doubles (int64 through Number: exact up to 2^53); null for strings. */
export function toNumbers(value: ort.OnnxValue | undefined): Float64Array | null {
  if (value === undefined || !(value instanceof ort.Tensor)) return null;
  const data = value.data;
  if (Array.isArray(data)) return null;
  if (data instanceof BigInt64Array || data instanceof BigUint64Array) {
    return Float64Array.from(data, (v) => Number(v));
  }
  if (value.type === 'float16' && data instanceof Uint16Array) return Float64Array.from(data, halfToNumber);
  return Float64Array.from(data as ArrayLike<number>);
}

/** IEEE 754 half-precision bit pattern to a number. */
function halfToNumber(bits: number): number {
  const sign = bits & 0x8000 ? -1 : 1;
  const exp = (bits >> 10) & 0x1f;
  const frac = bits & 0x3ff;
  if (exp === 0) return sign * 2 ** -14 * (frac / 1024);
  if (exp === 0x1f) return frac ? Number.NaN : sign * Number.POSITIVE_INFINITY;
  return sign * 2 ** (exp - 15) * (1 + frac / 1024);
}
