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
export function parseMotGroundTruth(text: string, options: MotParseOptions): MotRow[] {
  const check = motChecker(options);
  const rows: MotRow[] = [];
  text.split(/\r?\n/).forEach((raw, i) => {
    const row = check(raw, i + 1);
    if (row) rows.push(row);
  });
  return rows;
}

/** At most this many boxes in one ground-truth file (a 20-minute 30 fps scene with 50 objects in view). */
export const MOT_MAX_BOXES = 2_000_000;
/** The longest ground-truth line (ten numbers need about 200 bytes). */
export const MOT_MAX_LINE_BYTES = 4096;

/**
 * Checks MOT lines as they arrive (e.g. from a file stream) without keeping the rows: the same checks
 * and errors as parseMotGroundTruth, plus MOT_MAX_BOXES. Returns the number of boxes and distinct track ids.
 */
export async function summarizeMotLines(
  lines: AsyncIterable<string> | Iterable<string>,
  options: MotParseOptions & { maxBoxes?: number },
): Promise<{ boxes: number; tracks: number }> {
  const check = motChecker(options);
  const maxBoxes = options.maxBoxes ?? MOT_MAX_BOXES;
  const tracks = new Set<number>();
  let boxes = 0;
  let n = 0;
  for await (const raw of lines) {
    n++;
    const row = check(raw, n);
    if (!row) continue;
    if (++boxes > maxBoxes) throw new MotFormatError(n, `more than ${maxBoxes} boxes (the limit for one scenario)`);
    tracks.add(row.id);
  }
  return { boxes, tracks: tracks.size };
}

/** A line checker with the duplicate check's memory: (frame, id) pairs as numbers where they fit. */
function motChecker({ frameCount, classIds }: MotParseOptions): (raw: string, n: number) => MotRow | null {
  if (!Number.isInteger(frameCount) || frameCount < 1) throw new RangeError(`frameCount must be a positive integer, got ${frameCount}`);
  const allowed = classIds ? new Set(classIds) : null;
  const seen = new Set<number | string>();
  return (raw, n) => {
    const line = raw.trim();
    if (line === '') return null;
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
    const key = frame < 2 ** 20 && id < 2 ** 32 ? frame * 2 ** 32 + id : `${frame}:${id}`;
    if (seen.has(key)) throw new MotFormatError(n, `id ${id} appears twice in frame ${frame}`);
    seen.add(key);
    return { frame, id, x, y, w, h, conf, classId, visibility };
  };
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
