import { ITEM_CLASSES, type ItemClass } from '@edgeproof/scenes/catalog';
import { DETECTOR_INPUT, DETECTOR_OUTPUT, DETECTOR_STRIDE } from './bundle/detector-io.ts';
import { DataType, encodeModel, floatTensor, node, valueInfo } from '@edgeproof/model-zoo/onnx-build';

/**
 * A designed (not trained) fully-convolutional item detector: per-class colour filters, pooled into a
 * per-class heat map at 1/4 resolution. It knows only the product catalogue (each class's two print
 * colours), never a scene or its ground truth.
 *
 *   image [1,3,H,W] (RGB 0..1)
 *     → features [x, x²] (Mul, Concat)                                   [1,6,H,W]
 *     → 1x1 Conv + Relu: per colour k, max(0, 1 − ‖x − p_k‖² / τ²)       [1,2C,H,W]
 *       (‖x − p‖² = Σx² − 2p·x + ‖p‖² is linear in [x, x²])
 *     → 4x4 stride-4 Conv summing each class's colours, averaged per cell [1,C,H/4,W/4]
 *
 * heatmap[c, i, j] ≈ the fraction of cell (i, j)'s 16 pixels that show class c.
 */
export interface DetectorOptions {
  /** colour match radius in 8-bit RGB units: a pixel this far from a class colour scores 0 (default 60) */
  radius?: number;
  classes?: readonly ItemClass[];
}

export interface BuiltDetector {
  bytes: Uint8Array;
  labels: string[];
  stride: number;
}

export function buildItemDetector({ radius = 60, classes = ITEM_CLASSES }: DetectorOptions = {}): BuiltDetector {
  if (!(radius > 0 && radius <= 255)) throw new RangeError(`radius must be in (0, 255], got ${radius}`);
  const tau2 = (radius / 255) ** 2;
  const colours = classes.flatMap((c) => [c.body, c.accent].map((rgb) => rgb.map((v) => v / 255)));
  const k = colours.length;
  const matchW: number[] = [];
  const matchB: number[] = [];
  for (const p of colours) {
    const [r, g, b] = p as [number, number, number];
    // weights over [x_r, x_g, x_b, x_r², x_g², x_b²]
    matchW.push((2 * r) / tau2, (2 * g) / tau2, (2 * b) / tau2, -1 / tau2, -1 / tau2, -1 / tau2);
    matchB.push(1 - (r * r + g * g + b * b) / tau2);
  }
  const s = DETECTOR_STRIDE;
  const poolW: number[] = [];
  classes.forEach((_, c) => {
    for (let kk = 0; kk < k; kk++) {
      const own = Math.floor(kk / 2) === c;
      for (let i = 0; i < s * s; i++) poolW.push(own ? 1 / (s * s) : 0);
    }
  });
  const graph = {
    name: 'item-detector',
    input: [valueInfo(DETECTOR_INPUT, DataType.FLOAT, [1, 3, 'height', 'width'])],
    output: [valueInfo(DETECTOR_OUTPUT, DataType.FLOAT, [1, classes.length, 'cells_y', 'cells_x'])],
    initializer: [
      floatTensor('match_w', [k, 6, 1, 1], matchW),
      floatTensor('match_b', [k], matchB),
      floatTensor('pool_w', [classes.length, k, s, s], poolW),
    ],
    node: [
      node({ op: 'Mul', name: 'square', inputs: [DETECTOR_INPUT, DETECTOR_INPUT], outputs: ['squared'] }),
      node({ op: 'Concat', name: 'features', inputs: [DETECTOR_INPUT, 'squared'], outputs: ['features'], attrs: { axis: 1 } }),
      node({ op: 'Conv', name: 'colour_match', inputs: ['features', 'match_w', 'match_b'], outputs: ['match'], attrs: { kernel_shape: [1, 1] } }),
      node({ op: 'Relu', name: 'colour_score', inputs: ['match'], outputs: ['score'] }),
      node({ op: 'Conv', name: 'class_pool', inputs: ['score', 'pool_w'], outputs: [DETECTOR_OUTPUT], attrs: { kernel_shape: [s, s], strides: [s, s] } }),
    ],
  };
  const labels = classes.map((c) => c.name);
  const bytes = encodeModel({
    graph,
    docString: 'edgeproof item detector: per-class colour filters → 1/4-resolution class heat maps',
    metadata: { labels: JSON.stringify(labels), stride: String(s), radius: String(radius) },
    producer: { name: 'edgeproof-feature-zoo', version: '1.0.0' },
  });
  return { bytes, labels, stride: s };
}
