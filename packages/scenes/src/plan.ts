import { ITEM_CLASSES } from './catalog.ts';
import { FRAME_CODE_MIN_WIDTH, FRAME_CODE_ROWS } from './frame-code.ts';
import { createRng, type Rng } from '@edgeproof/metrics';

export interface SceneOptions {
  seed: number;
  /** even, ≥ FRAME_CODE_MIN_WIDTH (default 320) */
  width?: number;
  /** even (default 240) */
  height?: number;
  /** integer frames per second (default 15) */
  fps?: number;
  /** default 16 */
  durationSeconds?: number;
  /** default max(3, round(durationSeconds / 2)) */
  itemCount?: number;
  /** gentle hand-held camera shake, ±2 px (default true) */
  shake?: boolean;
  /** a foreground counter edge that hides the lower part of items passing behind it (default true) */
  occluder?: boolean;
  /** sensor noise standard deviation in 8-bit levels (default 3) */
  noise?: number;
}

export type ResolvedSceneOptions = Required<SceneOptions> & { frameCount: number };

export interface Point {
  x: number;
  y: number;
}

export interface PlannedItem {
  /** MOT track id, 1-based in order of entry */
  trackId: number;
  classId: number;
  width: number;
  height: number;
  /** larger is nearer the camera (drawn later) */
  depth: number;
  /** brightness factor of this item's print, near 1 */
  brightness: number;
  /** top-left corner per frame in scene coordinates (before shake); null before entry and after exit */
  positions: Array<Point | null>;
}

export interface Rect {
  x: number;
  y: number;
  w: number;
  h: number;
}

export interface ScenePlan {
  options: ResolvedSceneOptions;
  /** the picture area above the frame-code strip */
  content: { width: number; height: number };
  items: PlannedItem[];
  occluder: Rect | null;
  /** integer camera offset per frame */
  shake: Point[];
  rng: Rng;
}

export function resolveSceneOptions(o: SceneOptions): ResolvedSceneOptions {
  const width = o.width ?? 320;
  const height = o.height ?? 240;
  const fps = o.fps ?? 15;
  const durationSeconds = o.durationSeconds ?? 16;
  const check = (ok: boolean, message: string) => {
    if (!ok) throw new RangeError(message);
  };
  check(Number.isSafeInteger(o.seed), `seed must be a safe integer, got ${o.seed}`);
  check(Number.isInteger(width) && width % 2 === 0 && width >= FRAME_CODE_MIN_WIDTH && width <= 4096, `width must be even and in ${FRAME_CODE_MIN_WIDTH}..4096, got ${width}`);
  check(Number.isInteger(height) && height % 2 === 0 && height >= 96 && height <= 4096, `height must be even and in 96..4096, got ${height}`);
  check(Number.isInteger(fps) && fps >= 1 && fps <= 120, `fps must be an integer in 1..120, got ${fps}`);
  check(durationSeconds > 0 && durationSeconds <= 3600, `durationSeconds must be in (0, 3600], got ${durationSeconds}`);
  const itemCount = o.itemCount ?? Math.max(3, Math.round(durationSeconds / 2));
  check(Number.isInteger(itemCount) && itemCount >= 1 && itemCount <= 1000, `itemCount must be an integer in 1..1000, got ${itemCount}`);
  const noise = o.noise ?? 3;
  check(noise >= 0 && noise <= 40, `noise must be in 0..40, got ${noise}`);
  return {
    seed: o.seed,
    width,
    height,
    fps,
    durationSeconds,
    itemCount,
    shake: o.shake ?? true,
    occluder: o.occluder ?? true,
    noise,
    frameCount: Math.max(1, Math.round(durationSeconds * fps)),
  };
}

/** Dense polyline through the points (centripetal-free uniform Catmull-Rom) with cumulative length. */
function spline(points: Point[]): { pts: Point[]; cum: number[] } {
  const ext = [points[0] as Point, ...points, points[points.length - 1] as Point];
  const pts: Point[] = [];
  for (let s = 1; s < ext.length - 2; s++) {
    const [p0, p1, p2, p3] = [ext[s - 1], ext[s], ext[s + 1], ext[s + 2]] as [Point, Point, Point, Point];
    for (let k = 0; k < 64; k++) {
      const t = k / 64;
      const t2 = t * t;
      const t3 = t2 * t;
      const f = (a: number, b: number, c: number, d: number) =>
        0.5 * (2 * b + (-a + c) * t + (2 * a - 5 * b + 4 * c - d) * t2 + (-a + 3 * b - 3 * c + d) * t3);
      pts.push({ x: f(p0.x, p1.x, p2.x, p3.x), y: f(p0.y, p1.y, p2.y, p3.y) });
    }
  }
  pts.push(points[points.length - 1] as Point);
  const cum = [0];
  for (let i = 1; i < pts.length; i++) {
    const a = pts[i - 1] as Point;
    const b = pts[i] as Point;
    cum.push((cum[i - 1] as number) + Math.hypot(b.x - a.x, b.y - a.y));
  }
  return { pts, cum };
}

function pointAt(path: { pts: Point[]; cum: number[] }, s: number): Point {
  let lo = 0;
  let hi = path.cum.length - 1;
  while (hi - lo > 1) {
    const mid = (lo + hi) >> 1;
    if ((path.cum[mid] as number) <= s) lo = mid;
    else hi = mid;
  }
  const a = path.pts[lo] as Point;
  const b = path.pts[hi] as Point;
  const span = (path.cum[hi] as number) - (path.cum[lo] as number);
  const t = span > 0 ? Math.min(1, Math.max(0, (s - (path.cum[lo] as number)) / span)) : 0;
  return { x: a.x + (b.x - a.x) * t, y: a.y + (b.y - a.y) * t };
}

type Side = 'left' | 'right' | 'top' | 'bottom';

function outside(side: Side, w: number, h: number, W: number, H: number, rng: Rng): Point {
  switch (side) {
    case 'left':
      return { x: -w - 2, y: rng.range(0.1, 0.7) * H };
    case 'right':
      return { x: W + 2, y: rng.range(0.1, 0.7) * H };
    case 'top':
      return { x: rng.range(0.1, 0.8) * W, y: -h - 2 };
    case 'bottom':
      return { x: rng.range(0.1, 0.8) * W, y: H + 2 };
  }
}

export function planScene(options: SceneOptions): ScenePlan {
  const o = resolveSceneOptions(options);
  const rng = createRng(o.seed);
  const W = o.width;
  const H = o.height - FRAME_CODE_ROWS;
  const scale = Math.min(W / 320, H / 236);
  const occluder: Rect | null = o.occluder
    ? (() => {
        const w = Math.round(W * rng.range(0.45, 0.6));
        const top = Math.round(H * 0.8);
        return { x: rng.next() < 0.5 ? 0 : W - w, y: top, w, h: H - top };
      })()
    : null;

  const classOrder = ITEM_CLASSES.map((c) => c.id);
  for (let i = classOrder.length - 1; i > 0; i--) {
    const j = rng.int(i + 1);
    [classOrder[i], classOrder[j]] = [classOrder[j] as number, classOrder[i] as number];
  }
  const depths = Array.from({ length: o.itemCount }, (_, i) => i);
  for (let i = depths.length - 1; i > 0; i--) {
    const j = rng.int(i + 1);
    [depths[i], depths[j]] = [depths[j] as number, depths[i] as number];
  }
  const spacing = o.itemCount > 1 ? Math.max(0.8, (o.durationSeconds - 4) / (o.itemCount - 1)) : 0;
  const items: PlannedItem[] = [];
  for (let k = 0; k < o.itemCount; k++) {
    const itemRng = rng.fork();
    const cls = ITEM_CLASSES.find((c) => c.id === classOrder[k % classOrder.length]) ?? ITEM_CLASSES[0];
    if (!cls) throw new Error('empty catalogue');
    const size = scale * itemRng.range(0.9, 1.2);
    const w = Math.round(cls.width * size);
    const h = Math.round(cls.height * size);
    const sides: Side[] = ['left', 'right', 'top'];
    const entry = sides[itemRng.int(sides.length)] as Side;
    const exits = (['left', 'right', 'top', 'bottom'] as Side[]).filter((s) => s !== entry);
    const exit = exits[itemRng.int(exits.length)] as Side;
    const waypoints: Point[] = [outside(entry, w, h, W, H, itemRng)];
    const interior = 1 + itemRng.int(2);
    for (let i = 0; i < interior; i++) {
      waypoints.push({ x: itemRng.range(0.15, 0.85) * W - w / 2, y: itemRng.range(0.2, 0.7) * H - h / 2 });
    }
    if (k === 1 && occluder) {
      // one item always passes partly behind the counter
      (waypoints[1] as Point).x = occluder.x + occluder.w / 2 - w / 2;
      (waypoints[1] as Point).y = occluder.y - 0.6 * h;
    }
    waypoints.push(outside(exit, w, h, W, H, itemRng));
    const path = spline(waypoints);
    const total = path.cum[path.cum.length - 1] as number;
    const dwellAt = path.cum[64] ?? total / 2; // the first interior waypoint
    const dwellFrames = itemRng.next() < 0.6 ? Math.round(itemRng.range(0.4, 1.4) * o.fps) : 0;
    const v0 = itemRng.range(45, 85) * scale;
    const period = itemRng.range(2, 4);
    const phase = itemRng.range(0, 2 * Math.PI);
    const enterFrame = Math.round((k * spacing + (k > 0 ? itemRng.range(-0.3, 0.3) : 0)) * o.fps);
    const positions: Array<Point | null> = new Array(o.frameCount).fill(null);
    let s = 0;
    let dwelt = 0;
    for (let f = Math.max(0, enterFrame); f < o.frameCount && s < total; f++) {
      positions[f] = pointAt(path, s);
      const t = (f - enterFrame) / o.fps;
      if (s >= dwellAt && dwelt < dwellFrames) {
        dwelt++;
        continue;
      }
      s += (v0 * (1 + 0.45 * Math.sin((2 * Math.PI * t) / period + phase))) / o.fps;
    }
    items.push({
      trackId: k + 1,
      classId: cls.id,
      width: w,
      height: h,
      depth: depths[k] as number,
      brightness: itemRng.range(0.94, 1.06),
      positions,
    });
  }

  const shakeRng = rng.fork();
  const phases = [0, 1, 2, 3].map(() => shakeRng.range(0, 2 * Math.PI));
  const shake: Point[] = [];
  for (let f = 0; f < o.frameCount; f++) {
    const t = f / o.fps;
    const wobble = (a: number, b: number) => Math.sin(2 * Math.PI * 0.7 * t + a) + 0.5 * Math.sin(2 * Math.PI * 1.9 * t + b);
    shake.push(
      o.shake
        ? { x: Math.round(1.3 * wobble(phases[0] as number, phases[1] as number)), y: Math.round(1.3 * wobble(phases[2] as number, phases[3] as number)) }
        : { x: 0, y: 0 },
    );
  }
  return { options: o, content: { width: W, height: H }, items, occluder, shake, rng: rng.fork() };
}
