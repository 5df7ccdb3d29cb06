import type { ParityOutput } from '@edgeproof/contracts';

export type ParityValue = number | bigint | boolean;

/** ParityOutput plus the count of element pairs that disagree where at least one side is NaN or ±Infinity. */
export interface ParityResult extends ParityOutput {
  nonFiniteMismatches: number;
}

/**
 * Largest error reported. A non-finite disagreement (NaN on one side only, an infinity against anything else)
 * and an overflowing difference are recorded as this value rather than Infinity: Infinity is not valid JSON and the
 * contract's z.number() rejects it, while Number.MAX_VALUE still fails every tolerance check.
 */
export const NON_FINITE_ERROR = Number.MAX_VALUE;

interface OutputState {
  elements: number;
  maxAbsError: number;
  sumAbsError: number;
  dot: number;
  deviceNormSq: number;
  referenceNormSq: number;
  identical: boolean;
  nonFiniteMismatches: number;
}

/**
 * Device-vs-reference numeric parity per named output, accumulated over samples. For each output all
 * added vectors are treated as one concatenated vector.
 *
 * Element rules (booleans are 0/1; bigint pairs are subtracted exactly, then converted):
 * - equal values (including the same infinity, and NaN on both sides) → error 0;
 * - otherwise, NaN or ±Infinity on either side → error NON_FINITE_ERROR, counted in nonFiniteMismatches;
 * - otherwise |device - reference|, capped at NON_FINITE_ERROR.
 * meanAbsError = sum of errors / elements (0 for an output with no elements), capped likewise.
 *
 * cosineSimilarity is computed over the element pairs where both values are finite. It is 1 when the
 * concatenated vectors are element-for-element identical (so two all-zero vectors, or empty outputs, give 1),
 * null when a norm is 0 and the vectors are not identical, else dot / (|d|·|r|) clamped to [-1, 1].
 * Note: the contract's comment says "null when both vectors are all zero"; here identical all-zero outputs
 * count as perfect parity (1), which is what a release gate needs.
 *
 * Length mismatch throws, naming the output. Outputs are reported in first-added order.
 */
export class ParityAccumulator {
  readonly #outputs = new Map<string, OutputState>();

  add(outputName: string, device: ArrayLike<ParityValue>, reference: ArrayLike<ParityValue>): void {
    if (device.length !== reference.length) {
      throw new RangeError(
        `parity output "${outputName}": device has ${device.length} elements, reference has ${reference.length}`,
      );
    }
    let s = this.#outputs.get(outputName);
    if (!s) {
      s = {
        elements: 0,
        maxAbsError: 0,
        sumAbsError: 0,
        dot: 0,
        deviceNormSq: 0,
        referenceNormSq: 0,
        identical: true,
        nonFiniteMismatches: 0,
      };
      this.#outputs.set(outputName, s);
    }
    for (let i = 0; i < device.length; i++) {
      const dv = device[i] as ParityValue;
      const rv = reference[i] as ParityValue;
      const d = toNumber(dv);
      const r = toNumber(rv);
      let err: number;
      if (typeof dv === 'bigint' && typeof rv === 'bigint') {
        err = Math.abs(Number(dv - rv));
      } else if (d === r || (Number.isNaN(d) && Number.isNaN(r))) {
        err = 0;
      } else if (!Number.isFinite(d) || !Number.isFinite(r)) {
        err = NON_FINITE_ERROR;
        s.nonFiniteMismatches++;
      } else {
        err = Math.min(Math.abs(d - r), NON_FINITE_ERROR);
      }
      if (err !== 0) s.identical = false;
      if (err > s.maxAbsError) s.maxAbsError = err;
      s.sumAbsError += err;
      if (Number.isFinite(d) && Number.isFinite(r)) {
        s.dot += d * r;
        s.deviceNormSq += d * d;
        s.referenceNormSq += r * r;
      }
    }
    s.elements += device.length;
  }

  summary(): ParityResult[] {
    return [...this.#outputs].map(([name, s]) => ({
      name,
      elements: s.elements,
      maxAbsError: Math.min(s.maxAbsError, NON_FINITE_ERROR),
      meanAbsError: s.elements === 0 ? 0 : Math.min(s.sumAbsError / s.elements, NON_FINITE_ERROR),
      cosineSimilarity: cosine(s),
      nonFiniteMismatches: s.nonFiniteMismatches,
    }));
  }
}

function cosine(s: OutputState): number | null {
  if (s.identical) return 1;
  if (s.deviceNormSq === 0 || s.referenceNormSq === 0) return null;
  const c = s.dot / (Math.sqrt(s.deviceNormSq) * Math.sqrt(s.referenceNormSq));
  if (Number.isNaN(c)) return null;
  return Math.max(-1, Math.min(1, c));
}

function toNumber(v: ParityValue): number {
  if (typeof v === 'number') return v;
  if (typeof v === 'boolean') return v ? 1 : 0;
  return Number(v);
}
