import { setFloat16 } from '@petamoriken/float16';
import type { ElementType, TensorInfo } from '@edgeproof/contracts';
import { uniformFloat32 } from 'pure-rand/distribution/uniformFloat32';
import { uniformFloat64 } from 'pure-rand/distribution/uniformFloat64';
import { uniformInt } from 'pure-rand/distribution/uniformInt';
import type { RandomGenerator } from 'pure-rand/types/RandomGenerator';
import { tensorStream } from './random.ts';
import { InvalidShapeError } from './shapes.ts';
import { elementCount, type GeneratedTensor, type TensorData } from './tensor.ts';

export * from './shapes.ts';
export type { GeneratedTensor, TensorData } from './tensor.ts';

/** The model input has an element type this package cannot produce values for. */
export class UnsupportedElementTypeError extends Error {
  override name = 'UnsupportedElementTypeError';
  readonly input: string;
  readonly elementType: ElementType;

  constructor(input: string, elementType: ElementType) {
    super(`input "${input}" has element type ${elementType}, for which no values can be generated`);
    this.input = input;
    this.elementType = elementType;
  }
}

const SMALL_INT_MAX = 9;

/**
 * Deterministic pseudo-random values for every input: floats uniform in [0,1),
 * integers in 0..9 (safe as indices and lengths), bools 0/1, strings of 1..8 lowercase letters.
 * Each input draws from its own stream (seed + input name), so adding an input leaves the others unchanged.
 */
export function generateInputs(
  inputs: TensorInfo[],
  shapes: Record<string, number[]>,
  seed: number,
): Record<string, GeneratedTensor> {
  const out: Record<string, GeneratedTensor> = {};
  for (const input of inputs) {
    const dims = shapes[input.name];
    if (dims === undefined) throw new InvalidShapeError(input.name, `no shape given for input "${input.name}"`);
    const data = generateData(input, elementCount(dims), tensorStream(seed, input.name));
    out[input.name] = { elementType: input.elementType, dims: [...dims], data };
  }
  return out;
}

function generateData(input: TensorInfo, n: number, rng: RandomGenerator): TensorData {
  const smallInt = () => uniformInt(rng, 0, SMALL_INT_MAX);
  const smallBigInt = () => BigInt(uniformInt(rng, 0, SMALL_INT_MAX));
  switch (input.elementType) {
    case 'float32':
      return fill(new Float32Array(n), () => uniformFloat32(rng));
    case 'float64':
      return fill(new Float64Array(n), () => uniformFloat64(rng));
    case 'float16':
      return float16Bits(n, rng);
    case 'int8':
      return fill(new Int8Array(n), smallInt);
    case 'uint8':
      return fill(new Uint8Array(n), smallInt);
    case 'int16':
      return fill(new Int16Array(n), smallInt);
    case 'uint16':
      return fill(new Uint16Array(n), smallInt);
    case 'int32':
      return fill(new Int32Array(n), smallInt);
    case 'uint32':
      return fill(new Uint32Array(n), smallInt);
    case 'int64':
      return fill(new BigInt64Array(n), smallBigInt);
    case 'uint64':
      return fill(new BigUint64Array(n), smallBigInt);
    case 'bool':
      return fill(new Uint8Array(n), () => uniformInt(rng, 0, 1));
    case 'string':
      return fill(new Array<string>(n), () => randomWord(rng));
    case 'bfloat16':
    case 'unknown':
      throw new UnsupportedElementTypeError(input.name, input.elementType);
  }
}

function fill<T, A extends { length: number; [i: number]: T }>(array: A, next: () => T): A {
  for (let i = 0; i < array.length; i++) array[i] = next();
  return array;
}

/** Half-precision bit patterns of k/2048 for k in 0..2047: all exact, so values stay in [0,1). */
const HALF_STEPS = (() => {
  const bits = new Uint16Array(2048);
  const view = new DataView(bits.buffer);
  const littleEndian = new Uint8Array(new Uint16Array([1]).buffer)[0] === 1;
  for (let k = 0; k < bits.length; k++) setFloat16(view, k * 2, k / 2048, littleEndian);
  return bits;
})();

function float16Bits(n: number, rng: RandomGenerator): Uint16Array {
  return fill(new Uint16Array(n), () => HALF_STEPS[uniformInt(rng, 0, 2047)]!);
}

function randomWord(rng: RandomGenerator): string {
  const length = uniformInt(rng, 1, 8);
  return String.fromCharCode(...Array.from({ length }, () => 97 + uniformInt(rng, 0, 25)));
}
