import { mersenne } from 'pure-rand/generator/mersenne';
import type { RandomGenerator } from 'pure-rand/types/RandomGenerator';

const FNV_OFFSET = 0x811c9dc5;
const FNV_PRIME = 0x01000193;

/** 32-bit FNV-1a over the UTF-8 bytes of `text`. */
export function fnv1a32(text: string): number {
  let hash = FNV_OFFSET;
  for (const byte of new TextEncoder().encode(text)) {
    hash ^= byte;
    hash = Math.imul(hash, FNV_PRIME);
  }
  return hash >>> 0;
}

/**
 * The random stream of one named tensor: MT19937 (as C++ std::mt19937 and numpy's RandomState)
 * seeded with FNV-1a("<seed>:<name>"), so each tensor's values depend only on the seed and its own name.
 */
export function tensorStream(seed: number, name: string): RandomGenerator {
  return mersenne(fnv1a32(`${seed}:${name}`));
}
