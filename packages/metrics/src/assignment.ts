import { munkres } from 'munkres';

/**
 * Optimal one-to-one assignment (Kuhn-Munkres, via the `munkres` package) over a rows × cols cost
 * function where `null` marks a forbidden pair. Maximises the number of allowed pairs first, then
 * minimises their total cost — the rule the MOTChallenge devkit and py-motmetrics use for per-frame
 * matching. Allowed costs must lie in [0, 1] for that guarantee (forbidden pairs cost min(rows, cols) + 1,
 * more than any set of allowed pairs). Returns [row, col] pairs of allowed entries, sorted by row.
 */
export function assignWithForbidden(
  rows: number,
  cols: number,
  cost: (row: number, col: number) => number | null,
): Array<[number, number]> {
  if (rows === 0 || cols === 0) return [];
  const forbidden = Math.min(rows, cols) + 1;
  const allowed: boolean[][] = [];
  const matrix: number[][] = [];
  for (let r = 0; r < rows; r++) {
    const okRow: boolean[] = [];
    const costRow: number[] = [];
    for (let c = 0; c < cols; c++) {
      const v = cost(r, c);
      if (v !== null && !(v >= 0 && v <= 1)) throw new RangeError(`assignment cost must be in [0, 1], got ${v}`);
      okRow.push(v !== null);
      costRow.push(v ?? forbidden);
    }
    allowed.push(okRow);
    matrix.push(costRow);
  }
  return munkres(matrix)
    .filter(([r, c]) => allowed[r]?.[c] === true)
    .sort((a, b) => a[0] - b[0]);
}

/**
 * Maximum-weight one-to-one assignment over a rows × cols matrix of non-negative weights (rectangular ok).
 * Returns [row, col] pairs with weight > 0, sorted by row.
 */
export function maxWeightAssignment(weights: readonly (readonly number[])[]): Array<[number, number]> {
  const rows = weights.length;
  const cols = weights[0]?.length ?? 0;
  if (rows === 0 || cols === 0) return [];
  let max = 0;
  for (const row of weights) {
    if (row.length !== cols) throw new RangeError('weight matrix rows must have equal length');
    for (const w of row) {
      if (!(w >= 0) || !Number.isFinite(w)) throw new RangeError(`weights must be finite and >= 0, got ${w}`);
      if (w > max) max = w;
    }
  }
  // Every full rectangular assignment has min(rows, cols) pairs, so minimising Σ(max − w) maximises Σw.
  const cost = weights.map((row) => row.map((w) => max - w));
  return munkres(cost)
    .filter(([r, c]) => (weights[r]?.[c] ?? 0) > 0)
    .sort((a, b) => a[0] - b[0]);
}
