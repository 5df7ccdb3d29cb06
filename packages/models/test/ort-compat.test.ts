import { readFileSync } from 'node:fs';
import type { ElementType, TensorInfo } from '@edgeproof/contracts';
import * as ort from 'onnxruntime-node';
import { describe, expect, it } from 'vitest';
import { generateInputs, parseOnnxSignature, resolveInputShapes } from '../src/index.ts';
import { SILERO_V5 } from './fixtures.ts';

const types: ElementType[] = [
  'float32', 'float64', 'float16', 'int8', 'uint8', 'int16', 'uint16',
  'int32', 'uint32', 'int64', 'uint64', 'bool', 'string',
];

describe('generated tensors in onnxruntime-node', () => {
  it.each(types)('%s is accepted by new ort.Tensor(type, data, dims)', (type) => {
    const inputs: TensorInfo[] = [{ name: 'x', elementType: type, shape: [2, 3] }];
    const t = generateInputs(inputs, { x: [2, 3] }, 5).x!;
    const tensor = new ort.Tensor(t.elementType as ort.Tensor.Type, t.data, t.dims);
    expect(tensor.type).toBe(type);
    expect(tensor.dims).toEqual([2, 3]);
    expect(tensor.data).toBe(t.data);
  });

  it('runs silero VAD on inputs generated from its parsed signature', async () => {
    const sig = parseOnnxSignature(readFileSync(SILERO_V5));
    const shapes = resolveInputShapes(sig.inputs, { dims: {}, inputShapes: { input: [1, 512], state: [2, 1, 128] } });
    const generated = generateInputs(sig.inputs, shapes, 42);
    // The model only supports 8 kHz and 16 kHz; a generated 0..9 sample rate would be rejected.
    generated.sr = { elementType: 'int64', dims: [], data: new BigInt64Array([16000n]) };
    const feeds = Object.fromEntries(
      Object.entries(generated).map(([name, t]) => [name, new ort.Tensor(t.elementType as ort.Tensor.Type, t.data, t.dims)]),
    );
    const session = await ort.InferenceSession.create(SILERO_V5, { logSeverityLevel: 3 });
    try {
      const out = await session.run(feeds);
      expect(out.output!.dims).toEqual([1, 1]);
      expect(out.stateN!.dims).toEqual([2, 1, 128]);
    } finally {
      await session.release();
    }
  });
});
