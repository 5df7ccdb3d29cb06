import { readFileSync } from 'node:fs';
import * as ort from 'onnxruntime-node';
import onnxProto from 'onnx-proto';
import { describe, expect, it } from 'vitest';
import { InvalidModelError, parseOnnxSignature } from '../src/index.ts';
import { OCR_DET, SILERO_V5 } from './fixtures.ts';

const { onnx } = onnxProto;
const { DataType } = onnx.TensorProto;

function valueInfo(name: string, elemType: number, dims: (number | string | null)[] | null) {
  const dim = dims?.map((d) => (typeof d === 'number' ? { dimValue: d } : d === null ? {} : { dimParam: d }));
  return { name, type: { tensorType: { elemType, ...(dim ? { shape: { dim } } : {}) } } };
}

/** y = x @ W (W an initializer that old exporters also list as a graph input), ids_out = ids. */
function buildModel(): Uint8Array {
  const model = onnx.ModelProto.create({
    irVersion: 8,
    producerName: 'edgeproof-test',
    producerVersion: '1.2',
    opsetImport: [
      { domain: '', version: 13 },
      { domain: 'ai.onnx.ml', version: 3 },
    ],
    graph: {
      name: 'g',
      node: [
        { opType: 'MatMul', input: ['x', 'W'], output: ['y'] },
        { opType: 'Identity', input: ['ids'], output: ['ids_out'] },
      ],
      initializer: [{ name: 'W', dataType: DataType.FLOAT, dims: [3, 2], floatData: [1, 2, 3, 4, 5, 6] }],
      input: [
        valueInfo('x', DataType.FLOAT, ['batch', 3]),
        valueInfo('ids', DataType.INT64, ['N']),
        valueInfo('W', DataType.FLOAT, [3, 2]),
      ],
      output: [valueInfo('y', DataType.FLOAT, ['batch', 2]), valueInfo('ids_out', DataType.INT64, [null])],
    },
  });
  return onnx.ModelProto.encode(model).finish();
}

describe('parseOnnxSignature', () => {
  it('reads a model built in the test, leaving out initializers listed as inputs', () => {
    expect(parseOnnxSignature(buildModel())).toEqual({
      format: 'onnx',
      inputs: [
        { name: 'x', elementType: 'float32', shape: ['batch', 3] },
        { name: 'ids', elementType: 'int64', shape: ['N'] },
      ],
      outputs: [
        { name: 'y', elementType: 'float32', shape: ['batch', 2] },
        { name: 'ids_out', elementType: 'int64', shape: [null] },
      ],
      irVersion: 8,
      opsets: [
        { domain: '', version: 13 },
        { domain: 'ai.onnx.ml', version: 3 },
      ],
      producer: { name: 'edgeproof-test', version: '1.2' },
      nodeCount: 2,
    });
  });

  it('agrees with onnxruntime on the built model', async () => {
    const session = await ort.InferenceSession.create(buildModel(), { logSeverityLevel: 3 });
    expect(session.inputNames).toEqual(['x', 'ids']);
    await session.release();
  });

  it('maps element types, missing shapes, non-tensor inputs and the ai.onnx domain', () => {
    const model = onnx.ModelProto.create({
      irVersion: 9,
      opsetImport: [{ domain: 'ai.onnx', version: 19 }],
      graph: {
        input: [
          valueInfo('f16', DataType.FLOAT16, [1]),
          valueInfo('bf16', DataType.BFLOAT16, [1]),
          valueInfo('u64', DataType.UINT64, [1]),
          valueInfo('c64', DataType.COMPLEX64, [1]),
          valueInfo('future', 23, [1]),
          valueInfo('noshape', DataType.BOOL, null),
          { name: 'seq', type: { sequenceType: { elemType: { tensorType: { elemType: DataType.FLOAT } } } } },
        ],
      },
    });
    const sig = parseOnnxSignature(onnx.ModelProto.encode(model).finish());
    expect(sig.inputs.map((i) => [i.name, i.elementType, i.shape])).toEqual([
      ['f16', 'float16', [1]],
      ['bf16', 'bfloat16', [1]],
      ['u64', 'uint64', [1]],
      ['c64', 'unknown', [1]],
      ['future', 'unknown', [1]],
      ['noshape', 'bool', null],
      ['seq', 'unknown', null],
    ]);
    expect(sig.opsets).toEqual([{ domain: '', version: 19 }]);
    expect(sig.producer).toBeNull();
    expect(sig.nodeCount).toBe(0);
    expect(sig.outputs).toEqual([]);
  });

  it('reads PP-OCRv4 det (dynamic dims) as onnxruntime does', async () => {
    const sig = parseOnnxSignature(readFileSync(OCR_DET));
    expect(sig.inputs).toEqual([
      {
        name: 'x',
        elementType: 'float32',
        shape: ['p2o.DynamicDimension.0', 3, 'p2o.DynamicDimension.1', 'p2o.DynamicDimension.2'],
      },
    ]);
    expect(sig.outputs).toEqual([
      {
        name: 'sigmoid_0.tmp_0',
        elementType: 'float32',
        shape: ['p2o.DynamicDimension.3', 1, 'p2o.DynamicDimension.4', 'p2o.DynamicDimension.5'],
      },
    ]);
    expect(sig).toMatchObject({ irVersion: 8, opsets: [{ domain: '', version: 11 }], producer: null });
    expect(sig.nodeCount).toBeGreaterThan(100);
    await expectSameAsOrt(OCR_DET, sig.inputs);
  });

  it('reads silero VAD v5 (float32 and int64 inputs, unnamed dims) as onnxruntime does', async () => {
    const sig = parseOnnxSignature(readFileSync(SILERO_V5));
    expect(sig.inputs).toEqual([
      { name: 'input', elementType: 'float32', shape: [null, null] },
      { name: 'state', elementType: 'float32', shape: [2, null, 128] },
      { name: 'sr', elementType: 'int64', shape: [] },
    ]);
    expect(sig.outputs.map((o) => o.name)).toEqual(['output', 'stateN']);
    expect(sig).toMatchObject({ irVersion: 8, opsets: [{ domain: '', version: 16 }] });
    expect(sig.producer).toEqual({ name: 'spox', version: '' });
    await expectSameAsOrt(SILERO_V5, sig.inputs);
  });

  it('rejects protobufs that are not complete models', () => {
    const encode = (m: onnxProto.onnx.IModelProto) => onnx.ModelProto.encode(onnx.ModelProto.create(m)).finish();
    expect(() => parseOnnxSignature(encode({ producerName: 'x' }))).toThrow(
      new InvalidModelError('not_a_model', 'file is not an ONNX model: the protobuf has no ir_version'),
    );
    expect(() => parseOnnxSignature(encode({ irVersion: 8 }))).toThrow('ONNX model has no graph');
    const onlyInitializers = encode({
      irVersion: 8,
      graph: {
        initializer: [{ name: 'W', dataType: DataType.FLOAT, dims: [1], floatData: [1] }],
        input: [valueInfo('W', DataType.FLOAT, [1])],
      },
    });
    expect(() => parseOnnxSignature(onlyInitializers)).toThrow('model declares no inputs');
  });
});

async function expectSameAsOrt(path: string, inputs: { name: string; elementType: string; shape: unknown }[]) {
  const session = await ort.InferenceSession.create(path);
  try {
    expect(session.inputNames).toEqual(inputs.map((i) => i.name));
    const fromOrt = session.inputMetadata.map((m) => {
      if (!m.isTensor) throw new Error(`${m.name} is not a tensor`);
      return { name: m.name, elementType: m.type, shape: m.shape.map((d) => (d === '' ? null : d)) };
    });
    expect(fromOrt).toEqual(inputs);
  } finally {
    await session.release();
  }
}
