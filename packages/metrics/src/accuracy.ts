import type { AccuracySummary } from '@edgeproof/contracts';
import { topK } from './topk.ts';

export type AccuracyCounts = Pick<AccuracySummary, 'samples' | 'correctTop1' | 'correctTop5' | 'top1' | 'top5' | 'perClass'>;

/**
 * Streaming top-1 / top-5 classification accuracy.
 *
 * `add(scores, label)`: scores has one entry per class (same order as `labels`), label is the index of the
 * true class. Top-5 with fewer than 5 classes means top-all (always correct). Rankings use `topK` (ties to the
 * lower class index, NaN lowest). `summary()` reports top1/top5 as fractions in [0, 1]; 0 before any sample.
 * perClass[i]: count = samples whose true label is i, correctTop1 = of those predicted correctly,
 * predicted = samples whose top-1 prediction is i.
 */
export class AccuracyAccumulator {
  readonly #labels: readonly string[];
  readonly #count: number[];
  readonly #correct: number[];
  readonly #predicted: number[];
  #samples = 0;
  #correctTop1 = 0;
  #correctTop5 = 0;

  constructor(labels: readonly string[]) {
    if (labels.length === 0) throw new RangeError('AccuracyAccumulator needs at least one label');
    this.#labels = [...labels];
    this.#count = labels.map(() => 0);
    this.#correct = labels.map(() => 0);
    this.#predicted = labels.map(() => 0);
  }

  add(scores: ArrayLike<number>, label: number): void {
    const n = this.#labels.length;
    if (scores.length !== n) throw new RangeError(`expected ${n} scores (one per label), got ${scores.length}`);
    if (!Number.isSafeInteger(label) || label < 0 || label >= n) {
      throw new RangeError(`label index ${label} is out of range [0, ${n - 1}]`);
    }
    const ranked = topK(scores, 5);
    const predicted = ranked[0] as number;
    this.#samples++;
    this.#count[label] = (this.#count[label] as number) + 1;
    this.#predicted[predicted] = (this.#predicted[predicted] as number) + 1;
    if (predicted === label) {
      this.#correctTop1++;
      this.#correct[label] = (this.#correct[label] as number) + 1;
    }
    if (ranked.includes(label)) this.#correctTop5++;
  }

  summary(): AccuracyCounts {
    const samples = this.#samples;
    return {
      samples,
      correctTop1: this.#correctTop1,
      correctTop5: this.#correctTop5,
      top1: samples === 0 ? 0 : this.#correctTop1 / samples,
      top5: samples === 0 ? 0 : this.#correctTop5 / samples,
      perClass: this.#labels.map((label, i) => ({
        label,
        count: this.#count[i] as number,
        correctTop1: this.#correct[i] as number,
        predicted: this.#predicted[i] as number,
      })),
    };
  }
}
