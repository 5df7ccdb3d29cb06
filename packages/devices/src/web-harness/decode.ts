import { getFloat16 } from '@petamoriken/float16';
import type { EncodedTensor } from '@edgeproof/harness-web';

type NumericArray = ArrayLike<number> | ArrayLike<bigint>;

const VIEW_OF: Record<string, (b: ArrayBuffer, offset: number, bytes: number) => NumericArray> = {
  float32: (b, o, n) => new Float32Array(b, o, n / 4),
  float64: (b, o, n) => new Float64Array(b, o, n / 8),
  int8: (b, o, n) => new Int8Array(b, o, n),
  uint8: (b, o, n) => new Uint8Array(b, o, n),
  bool: (b, o, n) => new Uint8Array(b, o, n),
  int16: (b, o, n) => new Int16Array(b, o, n / 2),
  uint16: (b, o, n) => new Uint16Array(b, o, n / 2),
  int32: (b, o, n) => new Int32Array(b, o, n / 4),
  uint32: (b, o, n) => new Uint32Array(b, o, n / 4),
  int64: (b, o, n) => new BigInt64Array(b, o, n / 8),
  uint64: (b, o, n) => new BigUint64Array(b, o, n / 8),
};

/**
 * A tensor the page sent back, as doubles (the host driver's `toNumbers` rules: int64 through Number,
 * float16 from its bit pattern); null for string tensors.
 */
export function decodeToNumbers(t: EncodedTensor): Float64Array | null {
  if (!('base64' in t)) return null;
  const bytes = Buffer.from(t.base64, 'base64');
  // copy into a fresh, aligned buffer: Buffer's pooled memory may start at any offset
  const buffer = new Uint8Array(bytes).buffer;
  if (t.type === 'float16') {
    const view = new DataView(buffer);
    return Float64Array.from({ length: buffer.byteLength / 2 }, (_, i) => getFloat16(view, i * 2, true));
  }
  const make = VIEW_OF[t.type];
  if (make === undefined) throw new Error(`the page sent a tensor of unsupported type ${t.type}`);
  const values = make(buffer, 0, buffer.byteLength);
  return Float64Array.from(values as ArrayLike<number | bigint>, (v) => Number(v));
}
