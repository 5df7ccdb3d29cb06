import type { ElementType, TensorData } from '@edgeproof/contracts';

export type { TensorData } from '@edgeproof/contracts';

/**
 * A tensor in the form onnxruntime (node and web) takes as `new Tensor(elementType, data, dims)`:
 * int64/uint64 as BigInt arrays, bool as Uint8Array of 0/1, float16 as Uint16Array of IEEE half bit patterns.
 */
export interface GeneratedTensor {
  elementType: ElementType;
  dims: number[];
  data: TensorData;
}

/** Element types whose values are integers, with the inclusive range a value must fit. */
export const INTEGER_RANGES: Partial<Record<ElementType, readonly [number, number]>> = {
  int8: [-128, 127],
  uint8: [0, 255],
  int16: [-32768, 32767],
  uint16: [0, 65535],
  int32: [-2147483648, 2147483647],
  uint32: [0, 4294967295],
  int64: [Number.MIN_SAFE_INTEGER, Number.MAX_SAFE_INTEGER],
  uint64: [0, Number.MAX_SAFE_INTEGER],
};

export function elementCount(dims: readonly number[]): number {
  return dims.reduce((n, d) => n * d, 1);
}

export function formatShape(shape: readonly unknown[] | null): string {
  if (shape === null) return 'null';
  return `[${shape.map((d) => (typeof d === 'string' ? JSON.stringify(d) : String(d))).join(',')}]`;
}
