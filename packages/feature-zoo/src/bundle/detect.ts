import { DETECTOR_INPUT, DETECTOR_OUTPUT, DETECTOR_STRIDE } from './detector-io.ts';
import type { OrtLike, OrtSessionLike } from './ort.ts';

export type Bbox = [x: number, y: number, w: number, h: number];

export interface Detection {
  bbox: Bbox;
  classIndex: number;
  label: string;
  score: number;
}

export interface PostProcessOptions {
  /** heat-map cells at or above this value join a component (default 0.3) */
  threshold?: number;
  /** components covering fewer pixels are dropped (default 120) */
  minAreaPx?: number;
}

/** A camera frame as the feature contract hands it over (FeatureFrame without the timing fields). */
export interface PixelFrame {
  format: 'I420' | 'RGBA';
  data: Uint8ClampedArray | Uint8Array;
  width: number;
  height: number;
  colorSpace?: { matrix: string | null; fullRange: boolean | null };
}

/** RGBA (4 bytes per pixel) → planar float32 RGB in 0..1, the detector's [1,3,H,W] layout. */
export function rgbaToPlanar(rgba: Uint8ClampedArray | Uint8Array, width: number, height: number, out?: Float32Array): Float32Array {
  const n = width * height;
  const data = out ?? new Float32Array(3 * n);
  for (let i = 0; i < n; i++) {
    data[i] = (rgba[i * 4] as number) / 255;
    data[n + i] = (rgba[i * 4 + 1] as number) / 255;
    data[2 * n + i] = (rgba[i * 4 + 2] as number) / 255;
  }
  return data;
}

const clamp01 = (v: number) => (v < 0 ? 0 : v > 1 ? 1 : v);

/**
 * I420 → planar float32 RGB in 0..1. BT.601 unless the matrix says bt709, limited range unless
 * fullRange; each chroma sample covers its 2x2 block (what libyuv's fast paths do, within ~1/255 of
 * the browser's own RGBA conversion of the same frame).
 */
export function i420ToPlanar(
  i420: Uint8ClampedArray | Uint8Array,
  width: number,
  height: number,
  colorSpace?: PixelFrame['colorSpace'],
  out?: Float32Array,
): Float32Array {
  const n = width * height;
  const cw = Math.ceil(width / 2);
  const ch = Math.ceil(height / 2);
  if (i420.length < n + 2 * cw * ch) throw new RangeError(`I420 data has ${i420.length} bytes, expected ${n + 2 * cw * ch}`);
  const data = out ?? new Float32Array(3 * n);
  const [kr, kb] = colorSpace?.matrix === 'bt709' ? [0.2126, 0.0722] : [0.299, 0.114];
  const kg = 1 - kr - kb;
  const full = colorSpace?.fullRange === true;
  const yScale = full ? 1 / 255 : 1 / 219;
  const yOffset = full ? 0 : 16;
  const cScale = full ? 1 / 255 : 1 / 224;
  const rv = 2 * (1 - kr) * cScale;
  const bu = 2 * (1 - kb) * cScale;
  const gu = (2 * (1 - kb) * kb * cScale) / kg;
  const gv = (2 * (1 - kr) * kr * cScale) / kg;
  const uBase = n;
  const vBase = n + cw * ch;
  for (let y = 0; y < height; y++) {
    const cRow = (y >> 1) * cw;
    const row = y * width;
    for (let cx = 0; cx < cw; cx++) {
      const u = (i420[uBase + cRow + cx] as number) - 128;
      const v = (i420[vBase + cRow + cx] as number) - 128;
      const dr = rv * v;
      const dg = -gu * u - gv * v;
      const db = bu * u;
      // the (up to) two pixels this chroma sample covers in this row
      for (let i = row + 2 * cx, end = Math.min(i + 2, row + width); i < end; i++) {
        const luma = ((i420[i] as number) - yOffset) * yScale;
        data[i] = clamp01(luma + dr);
        data[n + i] = clamp01(luma + dg);
        data[2 * n + i] = clamp01(luma + db);
      }
    }
  }
  return data;
}

/**
 * Per-class heat map [C, gh, gw] → boxes: 8-connected components of cells ≥ threshold; each box edge is
 * placed inside its border cell by that cell row's/column's coverage relative to the component's peak,
 * so boxes are accurate to about a pixel although cells are DETECTOR_STRIDE pixels wide.
 */
export function heatmapToDetections(
  heat: Float32Array,
  gh: number,
  gw: number,
  labels: readonly string[],
  frame: { width: number; height: number },
  { threshold = 0.3, minAreaPx = 120 }: PostProcessOptions = {},
): Detection[] {
  const s = DETECTOR_STRIDE;
  const out: Detection[] = [];
  const seen = new Uint8Array(gh * gw);
  const stack: number[] = [];
  labels.forEach((label, c) => {
    const base = c * gh * gw;
    const at = (r: number, col: number) => heat[base + r * gw + col] as number;
    seen.fill(0);
    for (let start = 0; start < gh * gw; start++) {
      if (seen[start] || (heat[base + start] as number) < threshold) continue;
      let minR = gh;
      let maxR = -1;
      let minC = gw;
      let maxC = -1;
      let peak = 0;
      let sum = 0;
      seen[start] = 1;
      stack.push(start);
      while (stack.length > 0) {
        const cell = stack.pop() as number;
        const r = Math.floor(cell / gw);
        const col = cell % gw;
        const v = heat[base + cell] as number;
        minR = Math.min(minR, r);
        maxR = Math.max(maxR, r);
        minC = Math.min(minC, col);
        maxC = Math.max(maxC, col);
        peak = Math.max(peak, v);
        sum += v;
        for (let dr = -1; dr <= 1; dr++) {
          for (let dc = -1; dc <= 1; dc++) {
            const rr = r + dr;
            const cc = col + dc;
            if (rr < 0 || rr >= gh || cc < 0 || cc >= gw) continue;
            const next = rr * gw + cc;
            if (!seen[next] && (heat[base + next] as number) >= threshold) {
              seen[next] = 1;
              stack.push(next);
            }
          }
        }
      }
      if (sum * s * s < minAreaPx) continue;
      const ref = Math.max(0.5, peak);
      const colCov = (col: number) => {
        if (col < 0 || col >= gw) return 0;
        let m = 0;
        for (let r = minR; r <= maxR; r++) m = Math.max(m, at(r, col));
        return Math.min(1, m / ref);
      };
      const rowCov = (r: number) => {
        if (r < 0 || r >= gh) return 0;
        let m = 0;
        for (let col = minC; col <= maxC; col++) m = Math.max(m, at(r, col));
        return Math.min(1, m / ref);
      };
      const edge = (lo: number, hi: number, cov: (i: number) => number): [number, number] => {
        const first = cov(lo - 1) > 0.1 ? lo - 1 : lo;
        const last = cov(hi + 1) > 0.1 ? hi + 1 : hi;
        return [(first + 1 - cov(first)) * s, (last + cov(last)) * s];
      };
      const [x0, x1] = edge(minC, maxC, colCov);
      const [y0, y1] = edge(minR, maxR, rowCov);
      const x = Math.max(0, x0);
      const y = Math.max(0, y0);
      const w = Math.min(frame.width, x1) - x;
      const h = Math.min(frame.height, y1) - y;
      if (w <= 0 || h <= 0) continue;
      out.push({ bbox: [x, y, w, h], classIndex: c, label, score: Math.min(1, peak) });
    }
  });
  return out;
}

/** Runs the detector model on RGBA frames. */
export class ItemDetector {
  private input: Float32Array | undefined;

  private constructor(
    private readonly ort: OrtLike,
    private readonly session: OrtSessionLike,
    private readonly labels: readonly string[],
    private readonly post: PostProcessOptions,
  ) {}

  static async create(ort: OrtLike, modelUrl: string, labels: readonly string[], threads: number, post: PostProcessOptions = {}): Promise<ItemDetector> {
    if (ort.env?.wasm) ort.env.wasm.numThreads = threads;
    const session = await ort.InferenceSession.create(modelUrl, {
      intraOpNumThreads: threads,
      interOpNumThreads: 1,
      executionMode: 'sequential',
      graphOptimizationLevel: 'all',
    });
    return new ItemDetector(ort, session, labels, post);
  }

  async detect(frame: PixelFrame): Promise<Detection[]> {
    const { width, height } = frame;
    if (width < DETECTOR_STRIDE || height < DETECTOR_STRIDE) return [];
    if (this.input?.length !== 3 * width * height) this.input = new Float32Array(3 * width * height);
    const planar =
      frame.format === 'I420' ? i420ToPlanar(frame.data, width, height, frame.colorSpace, this.input) : rgbaToPlanar(frame.data, width, height, this.input);
    const tensor = new this.ort.Tensor('float32', planar, [1, 3, height, width]);
    const result = await this.session.run({ [DETECTOR_INPUT]: tensor });
    const heat = result[DETECTOR_OUTPUT];
    if (!heat || !(heat.data instanceof Float32Array) || heat.dims.length !== 4) {
      throw new Error(`detector output "${DETECTOR_OUTPUT}" missing or not a float32 [1,C,h,w] tensor`);
    }
    const [, classes, gh, gw] = heat.dims as [number, number, number, number];
    if (classes !== this.labels.length) throw new Error(`detector has ${classes} classes, the bundle knows ${this.labels.length}`);
    const detections = heatmapToDetections(heat.data, gh, gw, this.labels, { width, height }, this.post);
    heat.dispose?.();
    return detections;
  }

  async dispose(): Promise<void> {
    await this.session.release?.();
  }
}
