import { insideShape, isAccent, itemClass, type Rgb } from './catalog.ts';
import { drawFrameCode } from './frame-code.ts';
import type { PlannedItem, Rect, ScenePlan } from './plan.ts';
import type { Rng } from '@edgeproof/metrics';
import type { Yuv420Frame } from './y4m.ts';
import { rgbToYuv420 } from './yuv.ts';

/** Ground truth of one item in one frame: its whole box clipped to the picture, and how much of it shows. */
export interface GtBox {
  trackId: number;
  classId: number;
  x: number;
  y: number;
  w: number;
  h: number;
  /** visible (unoccluded, in-picture) pixels / pixels of the whole item, in [0, 1] */
  visibility: number;
}

export interface RenderedFrame {
  /** 0-based; the frame code carries it */
  index: number;
  frame: Yuv420Frame;
  boxes: GtBox[];
}

const SHAKE_MARGIN = 4;
const SUB = 4; // 4x4 supersampling for anti-aliased edges
const round2 = (v: number) => Math.round(v * 100) / 100;
const clamp8 = (v: number) => (v < 0 ? 0 : v > 255 ? 255 : v);

function valueNoise(rng: Rng, w: number, h: number, cell: number): Float32Array {
  const gw = Math.ceil(w / cell) + 2;
  const gh = Math.ceil(h / cell) + 2;
  const grid = Float32Array.from({ length: gw * gh }, () => rng.next());
  const out = new Float32Array(w * h);
  const smooth = (t: number) => t * t * (3 - 2 * t);
  for (let y = 0; y < h; y++) {
    const gy = Math.floor(y / cell);
    const ty = smooth(y / cell - gy);
    for (let x = 0; x < w; x++) {
      const gx = Math.floor(x / cell);
      const tx = smooth(x / cell - gx);
      const g = (i: number, j: number) => grid[j * gw + i] as number;
      const top = g(gx, gy) * (1 - tx) + g(gx + 1, gy) * tx;
      const bottom = g(gx, gy + 1) * (1 - tx) + g(gx + 1, gy + 1) * tx;
      out[y * w + x] = top * (1 - ty) + bottom * ty;
    }
  }
  return out;
}

/** A low-saturation textured shelf background, larger than the frame by the shake margin. */
function makeBackground(rng: Rng, w: number, h: number): Uint8Array {
  const coarse = valueNoise(rng, w, h, 40);
  const fine = valueNoise(rng, w, h, 9);
  const tintNoise = valueNoise(rng, w, h, 60);
  const tint = [rng.range(-8, 8), rng.range(-8, 8), rng.range(-8, 8)];
  const shelfPitch = Math.round(rng.range(50, 70));
  const out = new Uint8Array(w * h * 3);
  for (let y = 0; y < h; y++) {
    const shelf = y % shelfPitch < 3 ? -28 : y % shelfPitch < 5 ? 12 : 0;
    for (let x = 0; x < w; x++) {
      const i = y * w + x;
      const l = 118 + 55 * (coarse[i] as number) + 20 * (fine[i] as number) + 5 * Math.sin((x + y) * 0.55) + shelf + (x / w) * 12;
      const t = ((tintNoise[i] as number) - 0.5) * 10;
      out[i * 3] = clamp8(l + (tint[0] as number) + t);
      out[i * 3 + 1] = clamp8(l + (tint[1] as number));
      out[i * 3 + 2] = clamp8(l + (tint[2] as number) - t);
    }
  }
  return out;
}

function itemArea(item: PlannedItem): number {
  const cls = itemClass(item.classId);
  let n = 0;
  for (let y = 0; y < item.height; y++) {
    for (let x = 0; x < item.width; x++) {
      if (insideShape(cls.shape, (x + 0.5) / item.width, (y + 0.5) / item.height, item.width / item.height)) n++;
    }
  }
  return n;
}

function drawItem(rgb: Float32Array, owner: Int16Array, W: number, H: number, item: PlannedItem, slot: number, X: number, Y: number): void {
  const cls = itemClass(item.classId);
  const aspect = item.width / item.height;
  const x0 = Math.max(0, Math.floor(X));
  const x1 = Math.min(W, Math.ceil(X + item.width));
  const y0 = Math.max(0, Math.floor(Y));
  const y1 = Math.min(H, Math.ceil(Y + item.height));
  for (let py = y0; py < y1; py++) {
    for (let px = x0; px < x1; px++) {
      let hits = 0;
      let r = 0;
      let g = 0;
      let b = 0;
      for (let j = 0; j < SUB; j++) {
        const v = (py + (j + 0.5) / SUB - Y) / item.height;
        const shade = item.brightness * (1.06 - 0.12 * v);
        for (let i = 0; i < SUB; i++) {
          const u = (px + (i + 0.5) / SUB - X) / item.width;
          if (!insideShape(cls.shape, u, v, aspect)) continue;
          const c: Rgb = isAccent(cls.shape, u, v) ? cls.accent : cls.body;
          r += c[0] * shade;
          g += c[1] * shade;
          b += c[2] * shade;
          hits++;
        }
      }
      if (hits === 0) continue;
      const cov = hits / (SUB * SUB);
      const p = (py * W + px) * 3;
      rgb[p] = (rgb[p] as number) * (1 - cov) + r / (SUB * SUB);
      rgb[p + 1] = (rgb[p + 1] as number) * (1 - cov) + g / (SUB * SUB);
      rgb[p + 2] = (rgb[p + 2] as number) * (1 - cov) + b / (SUB * SUB);
      if (cov >= 0.5) owner[py * W + px] = slot;
    }
  }
}

function drawOccluder(rgb: Float32Array, owner: Int16Array, W: number, H: number, o: Rect, sx: number, sy: number): void {
  for (let y = Math.max(0, o.y + sy); y < Math.min(H, o.y + o.h + sy); y++) {
    const local = y - o.y - sy;
    const edge = local < 3 ? 30 : 0; // a lit front edge
    for (let x = Math.max(0, o.x + sx); x < Math.min(W, o.x + o.w + sx); x++) {
      const grain = 9 * Math.sin((x - sx) * 0.21 + 2.5 * Math.sin(local * 0.35)) + 4 * Math.sin(local * 1.7);
      const p = (y * W + x) * 3;
      rgb[p] = 104 + grain + edge;
      rgb[p + 1] = 90 + grain + edge;
      rgb[p + 2] = 78 + grain + edge;
      owner[y * W + x] = -2;
    }
  }
}

/** Renders every frame of a plan in order: 4:2:0 planes with the frame code, plus ground truth. */
export function* renderScene(plan: ScenePlan): Generator<RenderedFrame> {
  const { width: W, height: fullH, frameCount, noise } = plan.options;
  const H = plan.content.height;
  const rng = plan.rng.fork();
  const bgW = W + 2 * SHAKE_MARGIN;
  const bgH = fullH + 2 * SHAKE_MARGIN;
  const background = makeBackground(rng, bgW, bgH);
  const noiseTable = Float32Array.from({ length: 1 << 16 }, () => rng.normal() * noise);
  const areas = plan.items.map(itemArea);
  const order = plan.items.map((_, k) => k).sort((a, b) => (plan.items[a] as PlannedItem).depth - (plan.items[b] as PlannedItem).depth);
  const rgb = new Float32Array(W * fullH * 3);
  const owner = new Int16Array(W * fullH);
  const bytes = new Uint8Array(W * fullH * 3);

  for (let f = 0; f < frameCount; f++) {
    const shake = plan.shake[f] ?? { x: 0, y: 0 };
    for (let y = 0; y < fullH; y++) {
      const src = ((y + SHAKE_MARGIN - shake.y) * bgW + SHAKE_MARGIN - shake.x) * 3;
      for (let i = 0; i < W * 3; i++) rgb[y * W * 3 + i] = background[src + i] as number;
    }
    owner.fill(-1);
    for (const k of order) {
      const item = plan.items[k] as PlannedItem;
      const pos = item.positions[f];
      if (pos) drawItem(rgb, owner, W, H, item, k, pos.x + shake.x, pos.y + shake.y);
    }
    if (plan.occluder) drawOccluder(rgb, owner, W, H, plan.occluder, shake.x, shake.y);

    const visible = new Array<number>(plan.items.length).fill(0);
    for (let i = 0; i < W * H; i++) {
      const o = owner[i] as number;
      if (o >= 0) visible[o] = (visible[o] as number) + 1;
    }
    const boxes: GtBox[] = [];
    plan.items.forEach((item, k) => {
      const pos = item.positions[f];
      if (!pos || (visible[k] as number) === 0) return;
      const X = pos.x + shake.x;
      const Y = pos.y + shake.y;
      const x0 = Math.max(0, X);
      const y0 = Math.max(0, Y);
      const w = Math.min(W, X + item.width) - x0;
      const h = Math.min(H, Y + item.height) - y0;
      if (w < 1 || h < 1) return;
      const visibility = Math.min(1, (visible[k] as number) / (areas[k] as number));
      boxes.push({ trackId: item.trackId, classId: item.classId, x: round2(x0), y: round2(y0), w: round2(w), h: round2(h), visibility: Math.round(visibility * 1000) / 1000 });
    });

    const start = rng.int(1 << 16);
    for (let i = 0; i < bytes.length; i++) {
      bytes[i] = Math.round(clamp8((rgb[i] as number) + (noiseTable[(start + i * 7919) & 0xffff] as number)));
    }
    const frame = rgbToYuv420(bytes, W, fullH, 'limited');
    drawFrameCode(frame, W, fullH, f);
    yield { index: f, frame, boxes };
  }
}
