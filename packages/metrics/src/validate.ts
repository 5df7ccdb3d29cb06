/** Shared input checks. Every public function validates its inputs and throws a RangeError/TypeError naming the problem. */

export function assertFiniteSamples(samples: ArrayLike<number>, what = 'samples'): void {
  if (samples.length === 0) throw new RangeError(`${what} must not be empty`);
  for (let i = 0; i < samples.length; i++) {
    const v = samples[i];
    if (typeof v !== 'number' || !Number.isFinite(v)) {
      throw new RangeError(`${what}[${i}] is not a finite number: ${String(v)}`);
    }
  }
}

export function assertProbability(p: number, what: string, { open = false }: { open?: boolean } = {}): void {
  const ok = open ? p > 0 && p < 1 : p >= 0 && p <= 1;
  if (!Number.isFinite(p) || !ok) throw new RangeError(`${what} must be in ${open ? '(0, 1)' : '[0, 1]'}, got ${p}`);
}

export function assertPositiveInteger(n: number, what: string): void {
  if (!Number.isSafeInteger(n) || n < 1) throw new RangeError(`${what} must be a positive integer, got ${n}`);
}
