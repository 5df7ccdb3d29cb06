import { createRng } from '../src/index.ts';

/** Adds seeded noise and a brightness/contrast shift to RGBA pixels, as a camera pipeline might. */
export function perturb(rgba: Uint8ClampedArray, seed: number, { noise = 6, gain = 1, offset = 0 } = {}): Uint8ClampedArray {
  const rng = createRng(seed);
  const out = new Uint8ClampedArray(rgba.length);
  for (let i = 0; i < rgba.length; i++) {
    out[i] = i % 4 === 3 ? 255 : (rgba[i] as number) * gain + offset + rng.normal() * noise;
  }
  return out;
}
