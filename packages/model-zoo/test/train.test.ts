import type onnxProto from 'onnx-proto';
import { describe, expect, it } from 'vitest';
import {
  IR_VERSION,
  OPSET,
  PRODUCER_NAME,
  heldOutSamples,
  trainMlp,
  trainMnistClassifier,
  predictDigit,
} from '../src/index.ts';
import { decodeModel } from '../src/onnx-build.ts';
import { argmaxRows, digitBatch, hasPythonOnnx, NO_PYTHON_ONNX, onnxCheckerError, probabilities, session, tempDir, writeTemp } from './helpers.ts';

const SMALL = { trainSamples: 600, epochs: 1, testSamples: 200 } as const;

describe('trainMnistClassifier', () => {
  it('is deterministic: the same seed gives identical bytes, another seed different bytes', () => {
    const a = trainMnistClassifier({ seed: 7, ...SMALL });
    const b = trainMnistClassifier({ seed: 7, ...SMALL });
    const c = trainMnistClassifier({ seed: 8, ...SMALL });
    expect(Buffer.from(a.onnx).equals(Buffer.from(b.onnx))).toBe(true);
    expect(a.testAccuracy).toBe(b.testAccuracy);
    expect(Buffer.from(a.onnx).equals(Buffer.from(c.onnx))).toBe(false);
  });

  it('writes the documented ONNX graph (opset, IO names, symbolic batch, producer)', () => {
    const model = decodeModel(trainMnistClassifier({ seed: 1, ...SMALL, hidden: 16 }).onnx);
    expect(model.producerName).toBe(PRODUCER_NAME);
    expect(Number(model.irVersion)).toBe(IR_VERSION);
    expect(model.opsetImport.map((o) => [o.domain, Number(o.version)])).toEqual([['', OPSET]]);
    const graph = model.graph!;
    expect(graph.node!.map((n) => n.opType)).toEqual(['Flatten', 'Gemm', 'Relu', 'Gemm', 'Softmax']);
    const dims = (vi: onnxProto.onnx.IValueInfoProto | undefined) =>
      vi?.type?.tensorType?.shape?.dim?.map((d) => d.dimParam || Number(d.dimValue));
    expect(graph.input![0]!.name).toBe('input');
    expect(dims(graph.input![0])).toEqual(['batch', 1, 28, 28]);
    expect(graph.output![0]!.name).toBe('probabilities');
    expect(dims(graph.output![0])).toEqual(['batch', 10]);
    const fc1 = graph.initializer!.find((t) => t.name === 'fc1.weight')!;
    expect(fc1.dims!.map(Number)).toEqual([784, 16]);
    expect(fc1.rawData!.length).toBe(784 * 16 * 4);
  });

  it('onnxruntime-node agrees with the TypeScript forward pass and testAccuracy', async () => {
    const trained = trainMnistClassifier({ seed: 3, trainSamples: 1000, epochs: 1, testSamples: 500 });
    const samples = heldOutSamples(0, 500);
    const s = await session(trained.onnx);
    const probs = await probabilities(s, digitBatch(samples));
    for (let r = 0; r < 500; r++) {
      let sum = 0;
      for (let k = 0; k < 10; k++) sum += probs[r * 10 + k] as number;
      expect(sum).toBeCloseTo(1, 5);
    }
    const predicted = argmaxRows(probs, 10);
    const correct = predicted.filter((p, i) => p === samples[i]!.label).length;
    expect(Math.abs(correct / 500 - trained.testAccuracy)).toBeLessThanOrEqual(1 / 500 + 1e-12);
    await s.release();
  });

  it('predictDigit reproduces the weights written to the file', () => {
    const { weights, meta } = trainMlp({ seed: 5, ...SMALL });
    const samples = heldOutSamples(0, SMALL.testSamples);
    const correct = samples.filter((s) => predictDigit(weights, s.pixels) === s.label).length;
    expect(correct / samples.length).toBe(meta.testAccuracy);
  });

  it('rejects invalid options', () => {
    expect(() => trainMnistClassifier({ seed: 1, trainSamples: 0 })).toThrow(RangeError);
    expect(() => trainMnistClassifier({ seed: 1, trainSamples: 100_000 })).toThrow(/trainSamples/);
    expect(() => trainMnistClassifier({ seed: 1.5, ...SMALL })).toThrow(/seed/);
    expect(() => trainMnistClassifier({ seed: 1, ...SMALL, testSamples: 5000 })).toThrow(/testSamples/);
  });

  it('passes onnx.checker (full_check)', (ctx) => {
    if (!hasPythonOnnx) ctx.skip(NO_PYTHON_ONNX);
    const { dir, cleanup } = tempDir('train');
    try {
      const path = writeTemp(dir, 'mlp.onnx', trainMnistClassifier({ seed: 2, ...SMALL }).onnx);
      expect(onnxCheckerError(path)).toBeNull();
    } finally {
      cleanup();
    }
  });
});
