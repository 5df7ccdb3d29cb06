import { munkres } from 'munkres';
import type { Bbox, Detection } from './detect.ts';

export interface TrackerOptions {
  /** a detection may continue a track only above this IoU with the track's predicted box (default 0.2) */
  iouGate?: number;
  /** matched detections needed before a track is shown (default 2) */
  minHits?: number;
  /** a track unmatched for more than this many frames is dropped (default 10) */
  maxAgeFrames?: number;
  /** a confirmed track keeps being shown, at its predicted box, for this many missed detection runs (default 1) */
  maxCoastRuns?: number;
}

export interface ShownTrack {
  id: number;
  bbox: Bbox;
  label: string;
  score: number;
}

interface Track {
  id: number;
  label: string;
  box: Bbox;
  /** centre velocity in pixels per frame */
  vx: number;
  vy: number;
  /** frame index of the last matched detection */
  lastIndex: number;
  hits: number;
  missedRuns: number;
  score: number;
}

export function iou(a: Bbox, b: Bbox): number {
  const ix = Math.min(a[0] + a[2], b[0] + b[2]) - Math.max(a[0], b[0]);
  const iy = Math.min(a[1] + a[3], b[1] + b[3]) - Math.max(a[1], b[1]);
  const inter = ix > 0 && iy > 0 ? ix * iy : 0;
  const union = a[2] * a[3] + b[2] * b[3] - inter;
  return union > 0 ? inter / union : 0;
}

/**
 * IoU tracker: constant-velocity prediction of every track's box, optimal one-to-one assignment
 * (Kuhn-Munkres on 1 − IoU, same label only, gated), track birth on unmatched detections,
 * confirmation after `minHits`, short coasting through missed detections, deletion after `maxAgeFrames`.
 */
export class IouTracker {
  private tracks: Track[] = [];
  private nextId = 1;
  private lastIndex: number | undefined;
  private readonly iouGate: number;
  private readonly minHits: number;
  private readonly maxAgeFrames: number;
  private readonly maxCoastRuns: number;

  constructor({ iouGate = 0.2, minHits = 2, maxAgeFrames = 10, maxCoastRuns = 1 }: TrackerOptions = {}) {
    this.iouGate = iouGate;
    this.minHits = minHits;
    this.maxAgeFrames = maxAgeFrames;
    this.maxCoastRuns = maxCoastRuns;
  }

  private predicted(t: Track, index: number): Bbox {
    const dt = index - t.lastIndex;
    return [t.box[0] + t.vx * dt, t.box[1] + t.vy * dt, t.box[2], t.box[3]];
  }

  /** A frame index lower than the previous one means the video looped: start afresh (ids keep counting). */
  private observeIndex(index: number): void {
    if (this.lastIndex !== undefined && index < this.lastIndex) this.tracks = [];
    this.lastIndex = index;
  }

  /** Associates the detections of frame `index` and returns the tracks to show. */
  update(detections: readonly Detection[], index: number): ShownTrack[] {
    this.observeIndex(index);
    const preds = this.tracks.map((t) => this.predicted(t, index));
    const forbidden = 2;
    const cost = this.tracks.map((t, i) =>
      detections.map((d) => {
        if (d.label !== t.label) return forbidden;
        const overlap = iou(preds[i] as Bbox, d.bbox);
        return overlap >= this.iouGate ? 1 - overlap : forbidden;
      }),
    );
    const matchedTracks = new Set<number>();
    const matchedDets = new Set<number>();
    if (this.tracks.length > 0 && detections.length > 0) {
      for (const [ti, di] of munkres(cost)) {
        if ((cost[ti]?.[di] ?? forbidden) >= forbidden) continue;
        const t = this.tracks[ti] as Track;
        const d = detections[di] as Detection;
        const dt = Math.max(1, index - t.lastIndex);
        const vx = (d.bbox[0] + d.bbox[2] / 2 - (t.box[0] + t.box[2] / 2)) / dt;
        const vy = (d.bbox[1] + d.bbox[3] / 2 - (t.box[1] + t.box[3] / 2)) / dt;
        t.vx = t.hits > 1 ? 0.5 * t.vx + 0.5 * vx : vx;
        t.vy = t.hits > 1 ? 0.5 * t.vy + 0.5 * vy : vy;
        t.box = d.bbox;
        t.lastIndex = index;
        t.hits++;
        t.missedRuns = 0;
        t.score = d.score;
        matchedTracks.add(ti);
        matchedDets.add(di);
      }
    }
    this.tracks.forEach((t, i) => {
      if (!matchedTracks.has(i)) t.missedRuns++;
    });
    this.tracks = this.tracks.filter((t) => index - t.lastIndex <= this.maxAgeFrames);
    detections.forEach((d, i) => {
      if (matchedDets.has(i)) return;
      this.tracks.push({ id: this.nextId++, label: d.label, box: d.bbox, vx: 0, vy: 0, lastIndex: index, hits: 1, missedRuns: 0, score: d.score });
    });
    return this.shown(index, this.maxCoastRuns);
  }

  /** Tracking-only frame: every live track at its predicted box. */
  predict(index: number): ShownTrack[] {
    this.observeIndex(index);
    return this.shown(index, 0);
  }

  private shown(index: number, coastRuns: number): ShownTrack[] {
    return this.tracks
      .filter((t) => t.hits >= this.minHits && t.missedRuns <= coastRuns)
      .map((t) => ({ id: t.id, bbox: this.predicted(t, index), label: t.label, score: t.score }));
  }
}
