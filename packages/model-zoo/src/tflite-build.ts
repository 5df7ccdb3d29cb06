import { encodeTflite, type TfliteModelSpec, type TfliteTensorSpec } from '@edgeproof/models';
import { NUM_CLASSES, PIXELS, type MnistSample } from './mnist-data.ts';
import { MNIST_INPUT, MNIST_LABELS, MNIST_OUTPUT, type MlpWeights } from './train.ts';

/**
 * The MNIST MLP of train.ts as TFLite, with the same float32 weights as mnist-mlp.onnx, the same
 * input name and shape ([1,1,28,28], pixels 0..1) and output name, so one model runs in both
 * formats side by side:
 *
 *   input -> RESHAPE [-1,784] -> FULLY_CONNECTED (+bias, fused RELU) -> FULLY_CONNECTED (+bias)
 *         -> SOFTMAX -> probabilities [1,10]
 *
 * with SignatureDef "serving_default" (input -> input, probabilities -> probabilities).
 * TFLite FULLY_CONNECTED weights are [out, in]: the Gemm weights ([in, out]) are transposed.
 */

export const TFLITE_SIGNATURE_KEY = 'serving_default';
/** written as the "min_runtime_version" metadata, like the TFLite converter does */
export const TFLITE_MIN_RUNTIME_VERSION = '2.3.0';

export interface MlpTfliteOptions {
  /** batch dim dynamic: shape_signature [-1,1,28,28] on the input, [-1,...] downstream */
  dynamicBatch?: boolean;
}

/** int8 affine quantization of one tensor: real = scale * (q - zeroPoint) */
export interface Int8Quantization {
  scale: number;
  zeroPoint: number;
}

export interface QuantizedMlpTflite {
  tflite: Uint8Array;
  /** how to turn pixels (0..1) into the int8 input: q = round(x / scale) + zeroPoint */
  input: Int8Quantization;
  /** how to read the int8 probabilities: p = scale * (q - zeroPoint) */
  output: Int8Quantization;
}

const FLAT_SHAPE = [-1, PIXELS];

function float32Bytes(values: ArrayLike<number>): Uint8Array {
  return new Uint8Array(Float32Array.from(values).buffer);
}

function int32Bytes(values: ArrayLike<number>): Uint8Array {
  return new Uint8Array(Int32Array.from(values).buffer);
}

/** [rows, cols] row-major -> [cols, rows] row-major */
function transpose(values: ArrayLike<number>, rows: number, cols: number): Float64Array {
  const out = new Float64Array(rows * cols);
  for (let r = 0; r < rows; r++) for (let c = 0; c < cols; c++) out[c * rows + r] = values[r * cols + c] as number;
  return out;
}

/** Batch 1 shape, plus the shape signature with a dynamic batch when asked. */
function batched(dims: number[], dynamic: boolean): Pick<TfliteTensorSpec, 'shape' | 'shapeSignature'> {
  return dynamic ? { shape: [1, ...dims], shapeSignature: [-1, ...dims] } : { shape: [1, ...dims] };
}

function description(weights: MlpWeights, variant: string): string {
  return `MNIST digit classifier (MLP 784-${weights.hidden}-10, ${variant}) trained by @edgeproof/model-zoo; labels ${MNIST_LABELS.join(',')}`;
}

function metadata(): Record<string, Uint8Array> {
  const version = new Uint8Array(16); // NUL-padded, as the converter writes it
  version.set(new TextEncoder().encode(TFLITE_MIN_RUNTIME_VERSION));
  return { min_runtime_version: version };
}

/** The float32 TFLite twin of mlpToOnnx(weights). */
export function mlpToTflite(weights: MlpWeights, opts: MlpTfliteOptions = {}): Uint8Array {
  const { hidden } = weights;
  const dynamic = opts.dynamicBatch ?? false;
  const tensors: TfliteTensorSpec[] = [
    { name: MNIST_INPUT, type: 'FLOAT32', ...batched([1, 28, 28], dynamic) },
    { name: 'flatten/shape', type: 'INT32', shape: [2], data: int32Bytes(FLAT_SHAPE) },
    { name: 'flatten', type: 'FLOAT32', ...batched([PIXELS], dynamic) },
    { name: 'fc1.weight', type: 'FLOAT32', shape: [hidden, PIXELS], data: float32Bytes(transpose(weights.w1, PIXELS, hidden)) },
    { name: 'fc1.bias', type: 'FLOAT32', shape: [hidden], data: float32Bytes(weights.b1) },
    { name: 'fc1_relu', type: 'FLOAT32', ...batched([hidden], dynamic) },
    { name: 'fc2.weight', type: 'FLOAT32', shape: [NUM_CLASSES, hidden], data: float32Bytes(transpose(weights.w2, hidden, NUM_CLASSES)) },
    { name: 'fc2.bias', type: 'FLOAT32', shape: [NUM_CLASSES], data: float32Bytes(weights.b2) },
    { name: 'logits', type: 'FLOAT32', ...batched([NUM_CLASSES], dynamic) },
    { name: MNIST_OUTPUT, type: 'FLOAT32', ...batched([NUM_CLASSES], dynamic) },
  ];
  return encodeTflite(graph(tensors, { fc: 1, softmax: 1 }, description(weights, dynamic ? 'float32, dynamic batch' : 'float32')));
}

/** Tensor indices are those of mlpToTflite and mlpToQuantizedTflite alike. */
function graph(tensors: TfliteTensorSpec[], versions: { fc: number; softmax: number }, text: string): TfliteModelSpec {
  return {
    description: text,
    metadata: metadata(),
    subgraphs: [
      {
        name: 'mnist_mlp',
        tensors,
        inputs: [0],
        outputs: [9],
        operators: [
          { op: 'RESHAPE', inputs: [0, 1], outputs: [2], options: { kind: 'ReshapeOptions', newShape: FLAT_SHAPE } },
          { op: 'FULLY_CONNECTED', version: versions.fc, inputs: [2, 3, 4], outputs: [5], options: { kind: 'FullyConnectedOptions', fusedActivation: 'RELU' } },
          { op: 'FULLY_CONNECTED', version: versions.fc, inputs: [5, 6, 7], outputs: [8], options: { kind: 'FullyConnectedOptions' } },
          { op: 'SOFTMAX', version: versions.softmax, inputs: [8], outputs: [9], options: { kind: 'SoftmaxOptions', beta: 1 } },
        ],
      },
    ],
    signatureDefs: [{ key: TFLITE_SIGNATURE_KEY, inputs: { [MNIST_INPUT]: 0 }, outputs: { [MNIST_OUTPUT]: 9 } }],
  };
}

/** Pre-ReLU hidden activations and logits of the float weights, for calibration. */
function activationRanges(weights: MlpWeights, samples: readonly MnistSample[]): { hiddenMax: number; logitMin: number; logitMax: number } {
  const { hidden, w1, b1, w2, b2 } = weights;
  let hiddenMax = 0;
  let logitMin = 0;
  let logitMax = 0;
  const h = new Float64Array(hidden);
  for (const s of samples) {
    h.set(b1);
    s.pixels.forEach((x, p) => {
      if (x !== 0) for (let j = 0; j < hidden; j++) h[j] = (h[j] as number) + (w1[p * hidden + j] as number) * x;
    });
    for (let j = 0; j < hidden; j++) h[j] = Math.max(0, h[j] as number);
    for (const v of h) hiddenMax = Math.max(hiddenMax, v);
    for (let k = 0; k < NUM_CLASSES; k++) {
      let logit = b2[k] as number;
      for (let j = 0; j < hidden; j++) logit += (h[j] as number) * (w2[j * NUM_CLASSES + k] as number);
      logitMin = Math.min(logitMin, logit);
      logitMax = Math.max(logitMax, logit);
    }
  }
  return { hiddenMax, logitMin, logitMax };
}

/** int8 range [min, max] (stretched to include 0) as scale and zero point */
function int8Range(min: number, max: number): Int8Quantization {
  const lo = Math.min(min, 0);
  const hi = Math.max(max, lo + 1e-6);
  const scale = Math.fround((hi - lo) / 255);
  const zeroPoint = Math.max(-128, Math.min(127, Math.round(-128 - lo / scale)));
  return { scale, zeroPoint };
}

/** Symmetric per-tensor int8 weights: q = round(w / scale), scale = max|w| / 127. */
function int8Weights(values: ArrayLike<number>): { data: Uint8Array; scale: number } {
  let max = 0;
  for (let i = 0; i < values.length; i++) max = Math.max(max, Math.abs(values[i] as number));
  const scale = Math.fround(max > 0 ? max / 127 : 1);
  const q = Int8Array.from({ length: values.length }, (_, i) => Math.max(-127, Math.min(127, Math.round((values[i] as number) / scale))));
  return { data: new Uint8Array(q.buffer), scale };
}

/** int32 bias with scale inputScale * weightScale and zero point 0, as TFLite's int8 FULLY_CONNECTED requires */
function int32Bias(values: ArrayLike<number>, scale: number): Uint8Array {
  return int32Bytes(Array.from({ length: values.length }, (_, i) => Math.round((values[i] as number) / scale)));
}

const q = ({ scale, zeroPoint }: Int8Quantization) => ({ scale: [scale], zeroPoint: [zeroPoint] });

/**
 * Full-integer int8 variant (int8 input and output, like a converter run with
 * inference_input_type/inference_output_type int8): per-tensor symmetric int8 weights, int32
 * biases, activation ranges calibrated on `calibration` digits. SOFTMAX's int8 output has the
 * scale 1/256 and zero point -128 the TFLite kernel requires.
 */
export function mlpToQuantizedTflite(weights: MlpWeights, calibration: readonly MnistSample[]): QuantizedMlpTflite {
  if (calibration.length === 0) throw new RangeError('calibration: at least one digit is needed');
  const { hidden } = weights;
  const ranges = activationRanges(weights, calibration);
  const input: Int8Quantization = { scale: Math.fround(1 / 255), zeroPoint: -128 };
  const hiddenQ = int8Range(0, ranges.hiddenMax);
  const logitsQ = int8Range(ranges.logitMin, ranges.logitMax);
  const output: Int8Quantization = { scale: Math.fround(1 / 256), zeroPoint: -128 };
  const w1 = int8Weights(transpose(weights.w1, PIXELS, hidden));
  const w2 = int8Weights(transpose(weights.w2, hidden, NUM_CLASSES));
  const tensors: TfliteTensorSpec[] = [
    { name: MNIST_INPUT, type: 'INT8', shape: [1, 1, 28, 28], quantization: q(input) },
    { name: 'flatten/shape', type: 'INT32', shape: [2], data: int32Bytes(FLAT_SHAPE) },
    { name: 'flatten', type: 'INT8', shape: [1, PIXELS], quantization: q(input) },
    { name: 'fc1.weight', type: 'INT8', shape: [hidden, PIXELS], data: w1.data, quantization: q({ scale: w1.scale, zeroPoint: 0 }) },
    {
      name: 'fc1.bias',
      type: 'INT32',
      shape: [hidden],
      data: int32Bias(weights.b1, input.scale * w1.scale),
      quantization: q({ scale: Math.fround(input.scale * w1.scale), zeroPoint: 0 }),
    },
    { name: 'fc1_relu', type: 'INT8', shape: [1, hidden], quantization: q(hiddenQ) },
    { name: 'fc2.weight', type: 'INT8', shape: [NUM_CLASSES, hidden], data: w2.data, quantization: q({ scale: w2.scale, zeroPoint: 0 }) },
    {
      name: 'fc2.bias',
      type: 'INT32',
      shape: [NUM_CLASSES],
      data: int32Bias(weights.b2, hiddenQ.scale * w2.scale),
      quantization: q({ scale: Math.fround(hiddenQ.scale * w2.scale), zeroPoint: 0 }),
    },
    { name: 'logits', type: 'INT8', shape: [1, NUM_CLASSES], quantization: q(logitsQ) },
    { name: MNIST_OUTPUT, type: 'INT8', shape: [1, NUM_CLASSES], quantization: q(output) },
  ];
  // op versions that first support int8: FULLY_CONNECTED 4, SOFTMAX 2
  const tflite = encodeTflite(graph(tensors, { fc: 4, softmax: 2 }, description(weights, 'int8')));
  return { tflite, input, output };
}

/** Pixels (0..1) as the int8 input of the quantized model. */
export function quantizePixels(pixels: readonly number[], { scale, zeroPoint }: Int8Quantization): Int8Array {
  return Int8Array.from(pixels, (x) => Math.max(-128, Math.min(127, Math.round(x / scale) + zeroPoint)));
}
