import { createHash } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Scenario } from '@edgeproof/contracts';
import { iou } from '@edgeproof/metrics';
import { describe, expect, it } from 'vitest';
import { generateScenario, ITEM_CLASSES, planScene, readScenarioDir, SCENARIO_FILES, validateScenario, writeScenario, type MotRow } from '../src/index.ts';

const sha = (b: Uint8Array | string) => createHash('sha256').update(b).digest('hex');

function byTrack(rows: readonly MotRow[]): Map<number, MotRow[]> {
  const m = new Map<number, MotRow[]>();
  for (const r of rows) m.set(r.id, [...(m.get(r.id) ?? []), r]);
  for (const list of m.values()) list.sort((a, b) => a.frame - b.frame);
  return m;
}

describe('scene generator', () => {
  const a = generateScenario({ seed: 7, durationSeconds: 10 });

  it('is deterministic: the same seed gives identical bytes, another seed does not', () => {
    const b = generateScenario({ seed: 7, durationSeconds: 10 });
    expect(sha(b.video)).toBe(sha(a.video));
    expect(b.groundTruthText).toBe(a.groundTruthText);
    const c = generateScenario({ seed: 8, durationSeconds: 10 });
    expect(sha(c.video)).not.toBe(sha(a.video));
    expect(c.groundTruthText).not.toBe(a.groundTruthText);
  });

  it('writes a valid manifest for a 320x240, 15 fps scene', () => {
    const m = Scenario.parse(a.manifest);
    expect(m).toMatchObject({ width: 320, height: 240, fps: 15, frameCount: 150, name: 'shelf-scene-7' });
    expect(m.classes.map((c) => c.name)).toEqual(ITEM_CLASSES.map((c) => c.name));
  });

  it('has several items of several classes, entering and leaving, several at once', () => {
    const tracks = byTrack(a.groundTruth);
    expect(tracks.size).toBeGreaterThanOrEqual(5);
    expect(new Set(a.groundTruth.map((r) => r.classId)).size).toBeGreaterThanOrEqual(4);
    const W = a.manifest.width;
    const touchesEdge = (r: MotRow) => r.x <= 0.5 || r.y <= 0.5 || r.x + r.w >= W - 0.5;
    const entering = [...tracks.values()].filter((rows) => (rows[0] as MotRow).frame > 1 && touchesEdge(rows[0] as MotRow));
    const leaving = [...tracks.values()].filter((rows) => (rows.at(-1) as MotRow).frame < a.manifest.frameCount);
    expect(entering.length).toBeGreaterThanOrEqual(3);
    expect(leaving.length).toBeGreaterThanOrEqual(2);
    const perFrame = new Map<number, number>();
    for (const r of a.groundTruth) perFrame.set(r.frame, (perFrame.get(r.frame) ?? 0) + 1);
    expect(Math.max(...perFrame.values())).toBeGreaterThanOrEqual(3);
  });

  it('items cross each other and are partly occluded, with visibility recorded', () => {
    const frames = new Map<number, MotRow[]>();
    for (const r of a.groundTruth) frames.set(r.frame, [...(frames.get(r.frame) ?? []), r]);
    let overlapping = 0;
    for (const rows of frames.values()) {
      if (rows.some((p, i) => rows.some((q, j) => j > i && iou(p, q) > 0.05))) overlapping++;
    }
    expect(overlapping).toBeGreaterThanOrEqual(5);
    const W = a.manifest.width;
    const inside = a.groundTruth.filter((r) => r.x > 1 && r.y > 1 && r.x + r.w < W - 1);
    expect(inside.some((r) => r.visibility < 0.7)).toBe(true);
    expect(inside.filter((r) => r.visibility >= 0.95).length / inside.length).toBeGreaterThan(0.5);
    for (const r of a.groundTruth) expect(r.visibility).toBeGreaterThan(0);
  });

  it('moves items smoothly, with speed changes', () => {
    const plan = planScene({ seed: 7, durationSeconds: 10 });
    for (const item of plan.items) {
      const speeds: number[] = [];
      item.positions.forEach((p, f) => {
        const q = item.positions[f + 1];
        if (p && q) speeds.push(Math.hypot(q.x - p.x, q.y - p.y));
      });
      expect(Math.max(...speeds)).toBeLessThan(12); // px per frame at 15 fps
      const moving = speeds.filter((s) => s > 0);
      const mean = moving.reduce((x, y) => x + y, 0) / moving.length;
      const sd = Math.sqrt(moving.reduce((x, y) => x + (y - mean) ** 2, 0) / moving.length);
      expect(sd / mean).toBeGreaterThan(0.1);
    }
  });

  it('writes a scenario directory that reads back valid, and rejects mismatches', () => {
    const dir = mkdtempSync(join(tmpdir(), 'edgeproof-scenario-'));
    try {
      const written = writeScenario(dir, { seed: 7, durationSeconds: 2, name: 'tiny', version: '2' });
      const read = readScenarioDir(dir);
      expect(read.manifest).toEqual(written.manifest);
      expect(read.video.frameCount).toBe(30);
      expect(read.groundTruth).toEqual(written.groundTruth);
      const inMemory = generateScenario({ seed: 7, durationSeconds: 2, name: 'tiny', version: '2' });
      expect(inMemory.groundTruthText).toBe(written.groundTruthText);
      expect(sha(readFileSync(written.paths.video))).toBe(sha(inMemory.video));

      writeFileSync(join(dir, SCENARIO_FILES.manifest), JSON.stringify({ ...written.manifest, frameCount: 31 }));
      expect(() => readScenarioDir(dir)).toThrow('video: has 30 frames, the manifest says 31');
      writeFileSync(join(dir, SCENARIO_FILES.manifest), JSON.stringify({ ...written.manifest, width: 322 }));
      expect(() => readScenarioDir(dir)).toThrow(/video: is 320x240, the manifest says 322x240/);
      writeFileSync(join(dir, SCENARIO_FILES.manifest), JSON.stringify({ ...written.manifest, width: 321 }));
      expect(() => readScenarioDir(dir)).toThrow(/manifest.width: width must be even/);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('rejects ground truth that does not fit the video', () => {
    const tiny = generateScenario({ seed: 3, durationSeconds: 1 });
    const ok = { manifest: tiny.manifest, video: tiny.video };
    expect(() => validateScenario({ ...ok, groundTruthText: `${tiny.groundTruthText}16,1,0,0,10,10,1,1,1\n` })).toThrow(/groundTruth: line \d+: frame 16 is outside 1..15/);
    expect(() => validateScenario({ ...ok, groundTruthText: '1,1,0,0,10,10,1,9,1\n' })).toThrow('groundTruth: line 1: class 9 is not one of the scenario');
    expect(() => validateScenario({ ...ok, groundTruthText: tiny.groundTruthText, video: tiny.video.subarray(0, 1000) })).toThrow(/video: frame 0: truncated/);
  });

  it('rejects bad options with the option named', () => {
    expect(() => planScene({ seed: 1, width: 321 })).toThrow(/width must be even/);
    expect(() => planScene({ seed: 1, width: 64 })).toThrow(/width must be even and in 132/);
    expect(() => planScene({ seed: 1.5 })).toThrow(/seed/);
    expect(() => planScene({ seed: 1, fps: 0 })).toThrow(/fps/);
  });
});
