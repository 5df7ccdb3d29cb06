/**
 * MOTChallenge ground-truth text: one line per object per frame,
 * `frame,id,x,y,w,h,conf,class,visibility` (frames 1-based, (x, y) the box's top-left corner in pixels).
 * Result files with 6..10 columns parse too: conf, class and visibility default to 1, 1 and 1, and a
 * 10th column (the unused world z) is ignored.
 */
export interface MotRow {
  frame: number;
  id: number;
  x: number;
  y: number;
  w: number;
  h: number;
  conf: number;
  classId: number;
  visibility: number;
}

export class MotFormatError extends Error {
  override name = 'MotFormatError';
  constructor(
    readonly line: number,
    message: string,
  ) {
    super(`line ${line}: ${message}`);
  }
}

export interface MotParseOptions {
  /** frames must lie in 1..frameCount */
  frameCount: number;
  /** when given, the class column must be one of these ids */
  classIds?: readonly number[];
}

const COLUMNS = ['frame', 'id', 'x', 'y', 'w', 'h', 'conf', 'class', 'visibility'] as const;

/** Parses and validates MOT text; throws MotFormatError naming the first bad line (1-based). */
export function parseMotGroundTruth(text: string, { frameCount, classIds }: MotParseOptions): MotRow[] {
  if (!Number.isInteger(frameCount) || frameCount < 1) throw new RangeError(`frameCount must be a positive integer, got ${frameCount}`);
  const allowed = classIds ? new Set(classIds) : null;
  const rows: MotRow[] = [];
  const seen = new Set<string>();
  const lines = text.split(/\r?\n/);
  lines.forEach((raw, i) => {
    const n = i + 1;
    const line = raw.trim();
    if (line === '') return;
    const cells = line.split(',').map((c) => c.trim());
    if (cells.length < 6 || cells.length > 10) {
      throw new MotFormatError(n, `expected 6 to 10 comma-separated columns (${COLUMNS.join(',')}), got ${cells.length}`);
    }
    const values = cells.map((c, k) => {
      const v = c === '' ? NaN : Number(c);
      if (!Number.isFinite(v)) throw new MotFormatError(n, `${COLUMNS[k] ?? `column ${k + 1}`} is not a number: "${c}"`);
      return v;
    });
    const [frame, id, x, y, w, h, conf = 1, classId = 1, visibility = 1] = values as [number, number, number, number, number, number, ...number[]];
    if (!Number.isInteger(frame)) throw new MotFormatError(n, `frame must be an integer, got ${frame}`);
    if (frame < 1 || frame > frameCount) throw new MotFormatError(n, `frame ${frame} is outside 1..${frameCount}`);
    if (!Number.isInteger(id) || id < 0) throw new MotFormatError(n, `id must be a non-negative integer, got ${id}`);
    if (w <= 0 || h <= 0) throw new MotFormatError(n, `w and h must be positive, got ${w}x${h}`);
    if (!Number.isInteger(classId)) throw new MotFormatError(n, `class must be an integer, got ${classId}`);
    if (allowed && !allowed.has(classId)) throw new MotFormatError(n, `class ${classId} is not one of the scenario's classes (${[...allowed].join(', ')})`);
    if (visibility < 0 || visibility > 1) throw new MotFormatError(n, `visibility must be in [0, 1], got ${visibility}`);
    const key = `${frame}:${id}`;
    if (seen.has(key)) throw new MotFormatError(n, `id ${id} appears twice in frame ${frame}`);
    seen.add(key);
    rows.push({ frame, id, x, y, w, h, conf, classId, visibility });
  });
  return rows;
}

/** Writes rows as MOT text, sorted by frame then id, one trailing newline. */
export function formatMotGroundTruth(rows: readonly MotRow[]): string {
  const sorted = [...rows].sort((a, b) => a.frame - b.frame || a.id - b.id);
  return sorted.map((r) => [r.frame, r.id, r.x, r.y, r.w, r.h, r.conf, r.classId, r.visibility].join(',')).join('\n') + (sorted.length ? '\n' : '');
}

/** The {frame, id, x, y, w, h} boxes @edgeproof/metrics' evaluateTracking takes. */
export function motRowsToTrackBoxes(rows: readonly MotRow[]): Array<{ frame: number; id: number; x: number; y: number; w: number; h: number }> {
  return rows.map(({ frame, id, x, y, w, h }) => ({ frame, id, x, y, w, h }));
}
