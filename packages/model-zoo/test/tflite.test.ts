import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ModelSignature } from '@edgeproof/contracts';
import { inspectModelFile, parseTfliteSignature } from '@edgeproof/models';
import {
  buildZoo,
  heldOutSamples,
  mlpToQuantizedTflite,
  mlpToTflite,
  predictDigit,
  quantizePixels,
  trainingSamples,
  trainMlp,
  TFLITE_MIN_RUNTIME_VERSION,
  ZOO_FILES,
  type ZooManifest,
} from '../src/index.ts';
import { argmaxRows, digitBatch, probabilities, session, tempDir } from './helpers.ts';
import { interpreter, runOnce, tfliteRuntime } from './tflite-runtime.ts';

const tmp = tempDir('tflite');
let manifest: ZooManifest;
const file = (name: string) => readFileSync(join(tmp.dir, name));

beforeAll(async () => {
  manifest = await buildZoo(tmp.dir);
}, 120_000);
afterAll(() => tmp.cleanup());

const argmax = (values: readonly number[]) => values.reduce((best, v, i) => (v > (values[best] as number) ? i : best), 0);

describe('MNIST MLP as TFLite', () => {
  it('the zoo holds the same weights as mnist-mlp.onnx in three TFLite files, described by the manifest', async () => {
    const { mnistMlpTflite, mnistMlpTfliteDynamic, mnistMlpTfliteInt8 } = manifest.files;
    expect([mnistMlpTflite.file, mnistMlpTfliteDynamic.file, mnistMlpTfliteInt8.file]).toEqual(['mnist-mlp.tflite', 'mnist-mlp-dynamic.tflite', 'mnist-mlp-int8.tflite']);
    expect(mnistMlpTflite.sameWeightsAs).toBe(ZOO_FILES.mnistMlp);
    expect(mnistMlpTflite.testAccuracy).toBe(manifest.files.mnistMlp.testAccuracy);
    for (const entry of [mnistMlpTflite, mnistMlpTfliteDynamic, mnistMlpTfliteInt8]) {
      const { format, signature } = await inspectModelFile(join(tmp.dir, entry.file));
      expect(format, entry.file).toBe('tflite');
      expect(ModelSignature.parse(signature)).toEqual(signature);
      // the manifest's tensors are what the file declares
      expect(signature.inputs.map(({ name, elementType, shape }) => ({ name, elementType, shape })), entry.file).toEqual(
        entry.inputs.map(({ name, elementType, shape }) => ({ name, elementType, shape })),
      );
      expect(signature.outputs.map((o) => o.shape), entry.file).toEqual(entry.outputs.map((o) => o.shape));
      expect(signature.tflite?.signatureDefs, entry.file).toEqual([
        { key: 'serving_default', subgraphIndex: 0, inputs: [{ name: 'input', tensor: 'input' }], outputs: [{ name: 'probabilities', tensor: 'probabilities' }] },
      ]);
      expect(signature.tflite).toMatchObject({ builtinOps: ['FULLY_CONNECTED', 'RESHAPE', 'SOFTMAX'], operatorCount: 4, minRuntimeVersion: TFLITE_MIN_RUNTIME_VERSION });
    }
  });

  it('round-trips through the signature reader: shapes, dynamic batch, int8 quantization', () => {
    const float = parseTfliteSignature(file(ZOO_FILES.mnistMlpTflite));
    expect(float.inputs).toEqual([{ name: 'input', elementType: 'float32', shape: [1, 1, 28, 28] }]);
    expect(float.outputs).toEqual([{ name: 'probabilities', elementType: 'float32', shape: [1, 10] }]);
    expect(float.nodeCount).toBe(4);
    const dynamic = parseTfliteSignature(file(ZOO_FILES.mnistMlpTfliteDynamic));
    expect(dynamic.inputs[0]?.shape).toEqual([null, 1, 28, 28]);
    expect(dynamic.outputs[0]?.shape).toEqual([null, 10]);
    const int8 = parseTfliteSignature(file(ZOO_FILES.mnistMlpTfliteInt8));
    const { inputs, outputs } = manifest.files.mnistMlpTfliteInt8;
    expect(int8.inputs[0]?.elementType).toBe('int8');
    expect(int8.tflite?.inputs[0]?.quantization).toEqual({ scale: [inputs[0]?.quantization?.scale], zeroPoint: [-128], quantizedDimension: 0 });
    expect(int8.tflite?.outputs[0]?.quantization).toEqual({ scale: [1 / 256], zeroPoint: [-128], quantizedDimension: 0 });
    expect(inputs[0]?.quantization?.scale).toBeCloseTo(1 / 255, 9);
    expect(outputs[0]?.quantization).toEqual({ scale: 1 / 256, zeroPoint: -128 });
  });

  it('is deterministic: the same weights give identical TFLite bytes', () => {
    const { weights } = trainMlp({ seed: 3, trainSamples: 300, epochs: 1, hidden: 8, testSamples: 50 });
    expect(Buffer.from(mlpToTflite(weights)).equals(Buffer.from(mlpToTflite(weights)))).toBe(true);
    const calibration = trainingSamples(100);
    expect(Buffer.from(mlpToQuantizedTflite(weights, calibration).tflite).equals(Buffer.from(mlpToQuantizedTflite(weights, calibration).tflite))).toBe(true);
    expect(() => mlpToQuantizedTflite(weights, [])).toThrow('calibration: at least one digit is needed');
  });
});

describe('MNIST MLP TFLite files in the TFLite runtime (tfjs-tflite-node, libtensorflowlite_c)', () => {
  const digits = heldOutSamples(0, 1000);

  it('float32 and dynamic-batch files load and match the TypeScript model and onnxruntime-node on 1,000 digits', async (ctx) => {
    if (tfliteRuntime.Interpreter === null) ctx.skip(tfliteRuntime.reason);
    const { weights } = trainMlp({ seed: manifest.seed, testSamples: 1000 });
    const onnx = await session(file(ZOO_FILES.mnistMlp));
    const reference = await probabilities(onnx, digitBatch(digits));
    await onnx.release();
    for (const name of [ZOO_FILES.mnistMlpTflite, ZOO_FILES.mnistMlpTfliteDynamic]) {
      const model = interpreter(file(name));
      const [input] = model.getInputs();
      expect([input?.name, input?.dataType, input?.shape]).toEqual(['input', 'float32', '1,1,28,28']);
      let maxDiff = 0;
      let correct = 0;
      digits.forEach((digit, i) => {
        const probs = runOnce(model, digit.pixels);
        for (let k = 0; k < 10; k++) maxDiff = Math.max(maxDiff, Math.abs((probs[k] as number) - (reference[i * 10 + k] as number)));
        expect(argmax(probs)).toBe(predictDigit(weights, digit.pixels));
        if (argmax(probs) === digit.label) correct++;
      });
      expect(maxDiff, name).toBeLessThan(1e-5);
      expect(correct / digits.length, name).toBe(manifest.files.mnistMlpTflite.testAccuracy);
    }
    expect(argmaxRows(reference, 10).filter((p, i) => p === digits[i]?.label).length / digits.length).toBe(manifest.files.mnistMlp.testAccuracy);
  });

  it('the int8 file runs on quantized pixels within 2 points of the float accuracy', (ctx) => {
    if (tfliteRuntime.Interpreter === null) ctx.skip(tfliteRuntime.reason);
    const { mnistMlpTfliteInt8: entry } = manifest.files;
    const quantization = entry.inputs[0]?.quantization;
    if (quantization === undefined) throw new Error('int8 entry without input quantization');
    const model = interpreter(file(entry.file));
    expect(model.getInputs()[0]?.dataType).toBe('int8');
    let correct = 0;
    for (const digit of digits) if (argmax(runOnce(model, quantizePixels(digit.pixels, quantization))) === digit.label) correct++;
    expect(correct / digits.length).toBeGreaterThan(manifest.files.mnistMlpTflite.testAccuracy - 0.02);
  });

  it('the runtime refuses what the signature reader refuses: a cut file', (ctx) => {
    if (tfliteRuntime.Interpreter === null) ctx.skip(tfliteRuntime.reason);
    const bytes = file(ZOO_FILES.mnistMlpTflite);
    expect(() => interpreter(bytes.subarray(0, bytes.length - 100))).toThrow(/not a valid Flatbuffer|Failed to create/);
    expect(() => parseTfliteSignature(bytes.subarray(0, bytes.length - 100))).toThrow(/truncated or corrupt/);
  });
});
