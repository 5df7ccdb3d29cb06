import { performance } from 'node:perf_hooks';
import { HELD_OUT_SIZE, NUM_CLASSES, PIXELS, heldOutSamples, trainPoolSize, trainingSamples, type MnistSample } from './mnist-data.ts';
import { DataType, encodeModel, floatTensor, node, valueInfo } from './onnx-build.ts';
import { createRng, shuffleInPlace, type Rng } from '@edgeproof/metrics';

/**
 * A 784 -> hidden (ReLU) -> 10 (softmax) MLP trained with seeded mini-batch SGD with
 * momentum in plain TypeScript. Everything (split, init, batch order) derives from the seed,
 * so the same options give byte-identical ONNX files.
 */

export interface TrainOptions {
  seed: number;
  /** training digits taken from the training pool (default: the whole pool, 8,000) */
  trainSamples?: number;
  /** passes over the training digits (default 6) */
  epochs?: number;
  /** hidden units (default 64) */
  hidden?: number;
  /** held-out digits [0, testSamples) testAccuracy is measured on (default 1,000) */
  testSamples?: number;
  /** mini-batch size (default 32) */
  batchSize?: number;
  /** initial learning rate, decayed linearly to 10% (default 0.1) */
  learningRate?: number;
}

export interface MnistClassifier {
  /** ONNX ModelProto bytes */
  onnx: Uint8Array;
  /** accuracy of the float32 weights on held-out digits [0, testSamples) */
  testAccuracy: number;
  testSamples: number;
  /** accuracy on the training digits */
  trainAccuracy: number;
  /** mean cross-entropy of the last epoch */
  finalLoss: number;
  seed: number;
  trainSamples: number;
  epochs: number;
  hidden: number;
  batchSize: number;
  learningRate: number;
  /** wall-clock training time (the only non-deterministic field) */
  trainMs: number;
}

/** Trained parameters, float32-rounded exactly as written into the ONNX file. */
export interface MlpWeights {
  hidden: number;
  /** [PIXELS, hidden] row-major (ONNX Gemm B operand, transB = 0) */
  w1: Float32Array;
  b1: Float32Array;
  /** [hidden, 10] row-major */
  w2: Float32Array;
  b2: Float32Array;
}

export const MNIST_INPUT = 'input';
export const MNIST_OUTPUT = 'probabilities';
export const MNIST_LABELS = ['0', '1', '2', '3', '4', '5', '6', '7', '8', '9'] as const;

const DEFAULTS = { epochs: 6, hidden: 64, testSamples: 1000, batchSize: 32, learningRate: 0.1 } as const;
const MOMENTUM = 0.9;
const WEIGHT_DECAY = 1e-4;

interface SparseSample {
  idx: Int32Array;
  val: Float64Array;
  label: number;
}

function sparse(s: MnistSample): SparseSample {
  const idx: number[] = [];
  const val: number[] = [];
  s.pixels.forEach((v, p) => {
    if (v !== 0) {
      idx.push(p);
      val.push(v);
    }
  });
  return { idx: Int32Array.from(idx), val: Float64Array.from(val), label: s.label };
}

interface Params {
  w1: Float64Array | Float32Array;
  b1: Float64Array | Float32Array;
  w2: Float64Array | Float32Array;
  b2: Float64Array | Float32Array;
}

/** forward pass: fills `h` (pre-activation) and `p` (softmax probabilities) */
function forward(params: Params, hidden: number, s: SparseSample, h: Float64Array, p: Float64Array): void {
  const { w1, b1, w2, b2 } = params;
  for (let j = 0; j < hidden; j++) h[j] = b1[j] as number;
  for (let n = 0; n < s.idx.length; n++) {
    const row = (s.idx[n] as number) * hidden;
    const x = s.val[n] as number;
    for (let j = 0; j < hidden; j++) h[j] = (h[j] as number) + (w1[row + j] as number) * x;
  }
  for (let k = 0; k < NUM_CLASSES; k++) p[k] = b2[k] as number;
  for (let j = 0; j < hidden; j++) {
    const a = h[j] as number;
    if (a <= 0) continue;
    const row = j * NUM_CLASSES;
    for (let k = 0; k < NUM_CLASSES; k++) p[k] = (p[k] as number) + a * (w2[row + k] as number);
  }
  let max = -Infinity;
  for (let k = 0; k < NUM_CLASSES; k++) max = Math.max(max, p[k] as number);
  let sum = 0;
  for (let k = 0; k < NUM_CLASSES; k++) {
    const e = Math.exp((p[k] as number) - max);
    p[k] = e;
    sum += e;
  }
  for (let k = 0; k < NUM_CLASSES; k++) p[k] = (p[k] as number) / sum;
}

function argmax(p: Float64Array): number {
  let best = 0;
  for (let k = 1; k < p.length; k++) if ((p[k] as number) > (p[best] as number)) best = k;
  return best;
}

function accuracy(params: Params, hidden: number, samples: SparseSample[]): number {
  const h = new Float64Array(hidden);
  const p = new Float64Array(NUM_CLASSES);
  let correct = 0;
  for (const s of samples) {
    forward(params, hidden, s, h, p);
    if (argmax(p) === s.label) correct++;
  }
  return correct / samples.length;
}

/** Class predicted by float32 weights for 784 pixels (0..1), for cross-checking runtimes. */
export function predictDigit(weights: MlpWeights, pixels: readonly number[]): number {
  const h = new Float64Array(weights.hidden);
  const p = new Float64Array(NUM_CLASSES);
  forward(weights, weights.hidden, sparse({ pixels: pixels.map(Math.fround), label: -1 }), h, p);
  return argmax(p);
}

function gaussian(n: number, std: number, rng: Rng): Float64Array {
  const out = new Float64Array(n);
  for (let i = 0; i < n; i++) out[i] = rng.normal() * std;
  return out;
}

function positiveInt(name: string, v: number, max = Number.MAX_SAFE_INTEGER): number {
  if (!Number.isInteger(v) || v < 1 || v > max) throw new RangeError(`${name} must be an integer in 1..${max}, got ${v}`);
  return v;
}

export function trainMlp(opts: TrainOptions): { weights: MlpWeights; meta: Omit<MnistClassifier, 'onnx'> } {
  const started = performance.now();
  const trainSamples = positiveInt('trainSamples', opts.trainSamples ?? trainPoolSize(), trainPoolSize());
  const epochs = positiveInt('epochs', opts.epochs ?? DEFAULTS.epochs, 1000);
  const hidden = positiveInt('hidden', opts.hidden ?? DEFAULTS.hidden, 4096);
  const testSamples = positiveInt('testSamples', opts.testSamples ?? DEFAULTS.testSamples, HELD_OUT_SIZE);
  const batchSize = positiveInt('batchSize', opts.batchSize ?? DEFAULTS.batchSize, trainSamples);
  const learningRate = opts.learningRate ?? DEFAULTS.learningRate;
  if (!(learningRate > 0)) throw new RangeError(`learningRate must be positive, got ${learningRate}`);

  const rng = createRng(opts.seed);
  const train = trainingSamples(trainSamples).map(sparse);
  const w1 = gaussian(PIXELS * hidden, Math.sqrt(2 / PIXELS), rng);
  const b1 = new Float64Array(hidden);
  const w2 = gaussian(hidden * NUM_CLASSES, Math.sqrt(1 / hidden), rng);
  const b2 = new Float64Array(NUM_CLASSES);
  const params = { w1, b1, w2, b2 };
  const grads = [w1, b1, w2, b2].map((a) => new Float64Array(a.length)) as [Float64Array, Float64Array, Float64Array, Float64Array];
  const velocity = [w1, b1, w2, b2].map((a) => new Float64Array(a.length));
  const [gw1, gb1, gw2, gb2] = grads;
  const h = new Float64Array(hidden);
  const p = new Float64Array(NUM_CLASSES);
  const dh = new Float64Array(hidden);
  const order = train.map((_, i) => i);
  const totalSteps = epochs * Math.ceil(trainSamples / batchSize);
  let step = 0;
  let finalLoss = NaN;

  for (let epoch = 0; epoch < epochs; epoch++) {
    shuffleInPlace(order, rng);
    let lossSum = 0;
    for (let start = 0; start < order.length; start += batchSize) {
      const end = Math.min(start + batchSize, order.length);
      for (const g of grads) g.fill(0);
      for (let b = start; b < end; b++) {
        const s = train[order[b] as number] as SparseSample;
        forward(params, hidden, s, h, p);
        lossSum -= Math.log(Math.max(p[s.label] as number, 1e-12));
        p[s.label] = (p[s.label] as number) - 1; // dLoss/dLogits
        for (let k = 0; k < NUM_CLASSES; k++) gb2[k] = (gb2[k] as number) + (p[k] as number);
        for (let j = 0; j < hidden; j++) {
          const a = h[j] as number;
          if (a <= 0) {
            dh[j] = 0;
            continue;
          }
          const row = j * NUM_CLASSES;
          let d = 0;
          for (let k = 0; k < NUM_CLASSES; k++) {
            gw2[row + k] = (gw2[row + k] as number) + a * (p[k] as number);
            d += (w2[row + k] as number) * (p[k] as number);
          }
          dh[j] = d;
          gb1[j] = (gb1[j] as number) + d;
        }
        for (let n = 0; n < s.idx.length; n++) {
          const row = (s.idx[n] as number) * hidden;
          const x = s.val[n] as number;
          for (let j = 0; j < hidden; j++) gw1[row + j] = (gw1[row + j] as number) + x * (dh[j] as number);
        }
      }
      const lr = learningRate * (1 - (0.9 * step) / totalSteps);
      const scale = 1 / (end - start);
      [w1, b1, w2, b2].forEach((param, t) => {
        const g = grads[t] as Float64Array;
        const v = velocity[t] as Float64Array;
        const decay = t % 2 === 0 ? WEIGHT_DECAY : 0;
        for (let i = 0; i < param.length; i++) {
          const vi = MOMENTUM * (v[i] as number) - lr * ((g[i] as number) * scale + decay * (param[i] as number));
          v[i] = vi;
          param[i] = (param[i] as number) + vi;
        }
      });
      step++;
    }
    finalLoss = lossSum / order.length;
  }

  const weights: MlpWeights = {
    hidden,
    w1: Float32Array.from(w1),
    b1: Float32Array.from(b1),
    w2: Float32Array.from(w2),
    b2: Float32Array.from(b2),
  };
  // evaluate exactly what the ONNX file holds: float32 weights, float32 pixels
  const f32 = (s: MnistSample): SparseSample => sparse({ pixels: s.pixels.map(Math.fround), label: s.label });
  const test = heldOutSamples(0, testSamples).map(f32);
  return {
    weights,
    meta: {
      testAccuracy: accuracy(weights, hidden, test),
      testSamples,
      trainAccuracy: accuracy(weights, hidden, trainingSamples(trainSamples).map(f32)),
      finalLoss,
      seed: opts.seed,
      trainSamples,
      epochs,
      hidden,
      batchSize,
      learningRate,
      trainMs: performance.now() - started,
    },
  };
}

/** ONNX graph: input [batch,1,28,28] -> Flatten -> Gemm -> Relu -> Gemm -> Softmax -> probabilities [batch,10] */
export function mlpToOnnx(weights: MlpWeights, metadata: Record<string, string> = {}): Uint8Array {
  const { hidden } = weights;
  return encodeModel({
    docString: `MNIST digit classifier (MLP 784-${hidden}-10) trained by @edgeproof/model-zoo. Input: pixels scaled to 0..1.`,
    metadata: { labels: MNIST_LABELS.join(','), ...metadata },
    graph: {
      name: 'mnist_mlp',
      input: [valueInfo(MNIST_INPUT, DataType.FLOAT, ['batch', 1, 28, 28])],
      output: [valueInfo(MNIST_OUTPUT, DataType.FLOAT, ['batch', NUM_CLASSES])],
      initializer: [
        floatTensor('fc1.weight', [PIXELS, hidden], weights.w1),
        floatTensor('fc1.bias', [hidden], weights.b1),
        floatTensor('fc2.weight', [hidden, NUM_CLASSES], weights.w2),
        floatTensor('fc2.bias', [NUM_CLASSES], weights.b2),
      ],
      node: [
        node({ op: 'Flatten', name: 'flatten', inputs: [MNIST_INPUT], outputs: ['flat'], attrs: { axis: 1 } }),
        node({ op: 'Gemm', name: 'fc1', inputs: ['flat', 'fc1.weight', 'fc1.bias'], outputs: ['fc1_out'] }),
        node({ op: 'Relu', name: 'relu1', inputs: ['fc1_out'], outputs: ['relu1_out'] }),
        node({ op: 'Gemm', name: 'fc2', inputs: ['relu1_out', 'fc2.weight', 'fc2.bias'], outputs: ['logits'] }),
        node({ op: 'Softmax', name: 'softmax', inputs: ['logits'], outputs: [MNIST_OUTPUT], attrs: { axis: 1 } }),
      ],
    },
  });
}

/** Trains the MNIST MLP and returns its ONNX bytes plus held-out accuracy. Deterministic per options. */
export function trainMnistClassifier(opts: TrainOptions): MnistClassifier {
  const { weights, meta } = trainMlp(opts);
  return trainedClassifier(weights, meta);
}

/** The ONNX file of weights trainMlp returned, with its training facts in the metadata. */
export function trainedClassifier(weights: MlpWeights, meta: Omit<MnistClassifier, 'onnx'>): MnistClassifier {
  const onnx = mlpToOnnx(weights, {
    seed: String(meta.seed),
    trainSamples: String(meta.trainSamples),
    epochs: String(meta.epochs),
    testAccuracy: String(meta.testAccuracy),
    testSamples: String(meta.testSamples),
  });
  return { onnx, ...meta };
}
