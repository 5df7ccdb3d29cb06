/**
 * Per-frame result recording for the feature harness page. The contract's schema (FeatureResult in
 * @edgeproof/contracts) is the definition; this checks the same rules with plain loops and copies
 * the tracks, because the page runs it on every frame of a replay of only a few hundred frames, where
 * the schema's parser is still cold: 0.05–0.1 ms per frame in Chromium, as much as the frame grab
 * (bench/feature-harness-overhead.ts). A result the fast check refuses goes through the schema, which
 * names the offending field.
 */
import { FeatureResult, type FeatureTrack } from '@edgeproof/contracts';

const MAX_TRACKS = 10_000;
const MAX_LABEL = 200;
const TRACK_KEYS = 4;

const isFiniteNumber = (v: unknown): v is number => typeof v === 'number' && Number.isFinite(v);

function copyTrack(t: unknown): FeatureTrack | null {
  if (typeof t !== 'object' || t === null || Array.isArray(t) || Object.getPrototypeOf(t) !== Object.prototype) return null;
  let keys = 0;
  for (const _ in t) keys++;
  if (keys !== TRACK_KEYS) return null;
  const { id, bbox, label, score } = t as Record<string, unknown>;
  if (typeof id !== 'number' || !Number.isSafeInteger(id) || id < 0) return null;
  if (!Array.isArray(bbox) || bbox.length !== 4) return null;
  const [x, y, w, h] = bbox as unknown[];
  if (!isFiniteNumber(x) || !isFiniteNumber(y) || !isFiniteNumber(w) || !isFiniteNumber(h) || w < 0 || h < 0) return null;
  if (typeof label !== 'string' || label.length > MAX_LABEL) return null;
  if (typeof score !== 'number' || !(score >= 0 && score <= 1)) return null;
  return { id, bbox: [x, y, w, h], label, score };
}

export type CheckedResult = { ok: true; tracks: FeatureTrack[] } | { ok: false; path: string; message: string };

/** Validates what `process` resolved to and returns a copy the feature can no longer change. */
export function checkFeatureResult(raw: unknown): CheckedResult {
  if (Array.isArray(raw) && raw.length <= MAX_TRACKS) {
    const tracks: FeatureTrack[] = [];
    for (const t of raw) {
      const copy = copyTrack(t);
      if (!copy) break;
      tracks.push(copy);
    }
    if (tracks.length === raw.length) return { ok: true, tracks };
  }
  const parsed = FeatureResult.safeParse(raw);
  if (parsed.success) return { ok: true, tracks: parsed.data };
  const issue = parsed.error.issues[0];
  return { ok: false, path: issue?.path.join('.') ?? '', message: issue?.message ?? 'invalid' };
}
