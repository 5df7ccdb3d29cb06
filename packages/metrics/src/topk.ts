/**
 * Indices of the k largest scores, best first. Ties are broken by the lower index (deterministic);
 * NaN ranks below every number (including -Infinity), ties among NaN again by index.
 * k larger than the number of scores returns every index; k = 0 returns [].
 * O(n·k): meant for small k over class-score vectors.
 */
export function topK(scores: ArrayLike<number>, k: number): number[] {
  if (!Number.isSafeInteger(k) || k < 0) throw new RangeError(`topK k must be a non-negative integer, got ${k}`);
  const want = Math.min(k, scores.length);
  const best: number[] = [];
  if (want === 0) return best;
  for (let i = 0; i < scores.length; i++) {
    const s = scores[i] as number;
    if (best.length === want && !ranksAbove(s, scores[best[want - 1] as number] as number)) continue;
    // Insert after every kept index that ranks at or above s: earlier indices win ties.
    let pos = best.length;
    while (pos > 0 && ranksAbove(s, scores[best[pos - 1] as number] as number)) pos--;
    best.splice(pos, 0, i);
    if (best.length > want) best.pop();
  }
  return best;
}

/** true when score a (at a later index) strictly outranks b; NaN is the lowest score. */
function ranksAbove(a: number, b: number): boolean {
  if (Number.isNaN(a)) return false;
  if (Number.isNaN(b)) return true;
  return a > b;
}
