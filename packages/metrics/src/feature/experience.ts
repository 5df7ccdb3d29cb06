import { assignWithForbidden } from '../assignment.ts';
import { percentile } from '../percentile.ts';
import { iou, type TrackBox } from '../tracking/box.ts';

/** A ground-truth box with the item's label (class name), for label-aware matching. */
export interface LabelledBox extends TrackBox {
  label?: string;
}

/** What the feature showed for one processed camera frame. `frame` is the 1-based scenario frame. */
export interface ShownFrame {
  frame: number;
  /** capture and result times on one clock, in ms */
  captureMs: number;
  resultMs: number;
  tracks: ReadonlyArray<{ id: number; x: number; y: number; w: number; h: number; label?: string }>;
}

export interface ExperienceOptions {
  /** scenario frame rate: converts frame spans to milliseconds */
  fps: number;
  /** minimum IoU for a shown track to count as a correct result for an item (default 0.5) */
  iouThreshold?: number;
  /** when true (default) a shown track must carry the item's label, where the ground truth has one */
  matchLabels?: boolean;
}

export interface ItemExperience {
  id: number;
  firstGtFrame: number;
  lastGtFrame: number;
  /** processed frames in which the item was in view (had a ground-truth box) */
  framesInView: number;
  /** processed in-view frames in which a correct result was shown */
  framesShown: number;
  firstCorrectFrame: number | null;
  /**
   * scenario time from the item's first ground-truth frame to the frame whose result first showed it
   * correctly, plus that frame's capture → result latency; null when it was never shown correctly
   */
  timeToFirstResultMs: number | null;
  /** a shown correct result disappeared while the item stayed in view */
  flickers: number;
  /** the track id showing the item changed */
  idChanges: number;
  /** mean length of uninterrupted runs of correct results, in scenario ms (frame span × 1000 / fps) */
  meanShownRunMs: number | null;
}

export interface FeatureExperience {
  items: ItemExperience[];
  /** items with at least one processed in-view frame */
  itemsInView: number;
  itemsNeverShown: number;
  timeToFirstResultMs: { p50: number; p90: number; mean: number; max: number } | null;
  /** framesShown / framesInView over every item; null without in-view frames */
  shownRatio: number | null;
  flickers: number;
  idChanges: number;
  meanShownRunMs: number | null;
}

/** Summary of a sample: p50/p90 by linear interpolation (type 7), mean, max; null when empty. */
export function quickStats(values: readonly number[]): { p50: number; p90: number; mean: number; max: number } | null {
  if (values.length === 0) return null;
  const s = [...values].sort((a, b) => a - b);
  return { p50: percentile(s, 50), p90: percentile(s, 90), mean: s.reduce((x, y) => x + y, 0) / s.length, max: s[s.length - 1] as number };
}

/** Per processed frame: gt id → id of the shown track that correctly shows it (optimal IoU assignment). */
function correctMatches(gt: readonly LabelledBox[], shown: ShownFrame, threshold: number, matchLabels: boolean): Map<number, number> {
  const cost = (r: number, c: number): number | null => {
    const g = gt[r] as LabelledBox;
    const t = shown.tracks[c] as ShownFrame['tracks'][number];
    if (matchLabels && g.label !== undefined && t.label !== g.label) return null;
    const v = iou(g, t);
    return v >= threshold ? 1 - v : null;
  };
  const out = new Map<number, number>();
  for (const [r, c] of assignWithForbidden(gt.length, shown.tracks.length, cost)) {
    out.set((gt[r] as LabelledBox).id, (shown.tracks[c] as ShownFrame['tracks'][number]).id);
  }
  return out;
}

/**
 * How the feature feels to a user, from the frames it processed: time to first correct result per
 * item, how steadily a correct result stays shown while the item is in view (flickers, id changes,
 * run lengths). Frames the feature never processed are not judged (see frameDelivery for drops).
 */
export function featureExperience(gt: readonly LabelledBox[], shown: readonly ShownFrame[], opts: ExperienceOptions): FeatureExperience {
  const { fps, iouThreshold = 0.5, matchLabels = true } = opts;
  if (!(fps > 0) || !Number.isFinite(fps)) throw new RangeError(`fps must be positive, got ${fps}`);
  if (!(iouThreshold > 0 && iouThreshold <= 1)) throw new RangeError(`iouThreshold must be in (0, 1], got ${iouThreshold}`);
  const msPerFrame = 1000 / fps;
  const gtByFrame = new Map<number, LabelledBox[]>();
  const span = new Map<number, { first: number; last: number }>();
  for (const g of gt) {
    const list = gtByFrame.get(g.frame) ?? [];
    list.push(g);
    gtByFrame.set(g.frame, list);
    const s = span.get(g.id);
    span.set(g.id, s ? { first: Math.min(s.first, g.frame), last: Math.max(s.last, g.frame) } : { first: g.frame, last: g.frame });
  }
  interface State {
    inView: number;
    shown: number;
    first: ShownFrame | null;
    lastShown: boolean;
    lastTrack: number | null;
    flickers: number;
    idChanges: number;
    runStart: number | null;
    runEnd: number;
    runs: number[];
  }
  const states = new Map<number, State>();
  const ordered = [...shown].sort((a, b) => a.frame - b.frame || a.captureMs - b.captureMs);
  for (const f of ordered) {
    const inView = gtByFrame.get(f.frame) ?? [];
    const matches = correctMatches(inView, f, iouThreshold, matchLabels);
    for (const g of inView) {
      const st = states.get(g.id) ?? { inView: 0, shown: 0, first: null, lastShown: false, lastTrack: null, flickers: 0, idChanges: 0, runStart: null, runEnd: 0, runs: [] };
      states.set(g.id, st);
      st.inView++;
      const track = matches.get(g.id);
      if (track !== undefined) {
        st.shown++;
        st.first ??= f;
        if (st.lastTrack !== null && st.lastTrack !== track) st.idChanges++;
        st.lastTrack = track;
        st.runStart ??= f.frame;
        st.runEnd = f.frame;
      } else {
        if (st.lastShown) st.flickers++;
        if (st.runStart !== null) st.runs.push((st.runEnd - st.runStart + 1) * msPerFrame);
        st.runStart = null;
      }
      st.lastShown = track !== undefined;
    }
  }
  const items: ItemExperience[] = [...states.entries()]
    .sort(([a], [b]) => a - b)
    .map(([id, st]) => {
      if (st.runStart !== null) st.runs.push((st.runEnd - st.runStart + 1) * msPerFrame);
      const s = span.get(id) as { first: number; last: number };
      return {
        id,
        firstGtFrame: s.first,
        lastGtFrame: s.last,
        framesInView: st.inView,
        framesShown: st.shown,
        firstCorrectFrame: st.first?.frame ?? null,
        timeToFirstResultMs: st.first ? (st.first.frame - s.first) * msPerFrame + (st.first.resultMs - st.first.captureMs) : null,
        flickers: st.flickers,
        idChanges: st.idChanges,
        meanShownRunMs: st.runs.length ? st.runs.reduce((a, b) => a + b, 0) / st.runs.length : null,
      };
    });
  const inView = items.reduce((a, i) => a + i.framesInView, 0);
  const allRuns = [...states.values()].flatMap((s) => s.runs);
  return {
    items,
    itemsInView: items.length,
    itemsNeverShown: items.filter((i) => i.firstCorrectFrame === null).length,
    timeToFirstResultMs: quickStats(items.flatMap((i) => (i.timeToFirstResultMs === null ? [] : [i.timeToFirstResultMs]))),
    shownRatio: inView === 0 ? null : items.reduce((a, i) => a + i.framesShown, 0) / inView,
    flickers: items.reduce((a, i) => a + i.flickers, 0),
    idChanges: items.reduce((a, i) => a + i.idChanges, 0),
    meanShownRunMs: allRuns.length ? allRuns.reduce((a, b) => a + b, 0) / allRuns.length : null,
  };
}
