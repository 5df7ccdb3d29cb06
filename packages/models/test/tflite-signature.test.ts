import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { ModelSignature, type TensorInfo } from '@edgeproof/contracts';
import { encodeTflite, inspectModelFile, parseTfliteSignature, type TfliteTensorSpec } from '../src/index.ts';
import { FACE_FULL, FACE_FULL_SPARSE, FACE_SHORT } from './fixtures.ts';
import { rawModel, rejection, small, smallSpec } from './tflite-fixtures.ts';

const f32 = (name: string, shape: (number | null)[]): TensorInfo => ({ name, elementType: 'float32', shape });

describe('TFLite signatures of real third-party models (@mediapipe/face_detection)', () => {
  it('face_detection_short_range: one NHWC float32 input, box regressors and scores', async () => {
    const { format, signature } = await inspectModelFile(FACE_SHORT);
    expect(format).toBe('tflite');
    expect(signature.inputs).toEqual([f32('input', [1, 128, 128, 3])]);
    expect(signature.outputs).toEqual([f32('regressors', [1, 896, 16]), f32('classificators', [1, 896, 1])]);
    expect([signature.nodeCount, signature.irVersion, signature.opsets, signature.producer]).toEqual([164, null, [], null]);
    expect(signature.tflite).toEqual({
      schemaVersion: 3,
      description: 'keras2tflite_facedetector-front.tflite.generated',
      minRuntimeVersion: null,
      metadata: [],
      subgraphCount: 1,
      operatorCount: 164,
      builtinOps: ['ADD', 'CONCATENATION', 'CONV_2D', 'DEPTHWISE_CONV_2D', 'DEQUANTIZE', 'MAX_POOL_2D', 'PAD', 'RELU', 'RESHAPE'],
      customOps: [],
      signatureDefs: [],
      inputs: [{ name: 'input', tensorIndex: 0, tensorType: 'FLOAT32', quantization: null }],
      outputs: [
        { name: 'regressors', tensorIndex: 175, tensorType: 'FLOAT32', quantization: null },
        { name: 'classificators', tensorIndex: 174, tensorType: 'FLOAT32', quantization: null },
      ],
    });
    expect(ModelSignature.parse(signature)).toEqual(signature);
  });

  it('face_detection_full_range: 192x192 input, 2304 anchors, RESIZE_BILINEAR', async () => {
    const { signature } = await inspectModelFile(FACE_FULL);
    expect(signature.inputs).toEqual([f32('input', [1, 192, 192, 3])]);
    expect(signature.outputs).toEqual([f32('reshaped_regressor_face_4', [1, 2304, 16]), f32('reshaped_classifier_face_4', [1, 2304, 1])]);
    expect(signature.nodeCount).toBe(354);
    expect(signature.tflite?.builtinOps).toContain('RESIZE_BILINEAR');
    expect(signature.tflite?.builtinOps).not.toContain('CONCATENATION');
  });

  it('face_detection_full_range_sparse: MLIR-converted, DENSIFY, min_runtime_version metadata', async () => {
    const { signature } = await inspectModelFile(FACE_FULL_SPARSE);
    expect(signature.inputs).toEqual([f32('input_1', [1, 192, 192, 3])]);
    expect(signature.outputs).toEqual([f32('Identity', [1, 2304, 16]), f32('Identity_1', [1, 2304, 1])]);
    expect(signature.nodeCount).toBe(388);
    expect(signature.tflite).toMatchObject({
      description: 'MLIR Converted.',
      minRuntimeVersion: '2.2.0',
      metadata: ['min_runtime_version'],
      builtinOps: ['ADD', 'CONV_2D', 'DENSIFY', 'DEPTHWISE_CONV_2D', 'DEPTH_TO_SPACE', 'DEQUANTIZE', 'PAD', 'RESHAPE', 'RESIZE_BILINEAR'],
    });
  });

  it('reads the same signature from memory as from the file in pages', async () => {
    for (const path of [FACE_SHORT, FACE_FULL, FACE_FULL_SPARSE]) {
      expect(parseTfliteSignature(readFileSync(path)), path).toEqual((await inspectModelFile(path)).signature);
    }
  });
});

describe('TFLite signatures of models written with the generated builder', () => {
  it('reports dynamic dims from shape_signature as null, fixed ones as numbers', () => {
    const signature = parseTfliteSignature(small());
    expect(signature.inputs).toEqual([f32('x', [null, 4])]);
    expect(signature.outputs).toEqual([{ name: 'p', elementType: 'float32', shape: [null, 3] }]);
    const spec = smallSpec();
    const sg = spec.subgraphs[0]!;
    sg.tensors[0] = { name: 'x', type: 'FLOAT32', shape: [1, 4] };
    expect(parseTfliteSignature(encodeTflite(spec)).inputs[0]?.shape).toEqual([1, 4]);
    sg.tensors[0] = { name: 'x', type: 'FLOAT32', shape: [1, 1, 1, 4], shapeSignature: [-1, -1, -1, 4] };
    expect(parseTfliteSignature(encodeTflite(spec)).inputs[0]?.shape).toEqual([null, null, null, 4]);
    sg.tensors[0] = { name: 'x', type: 'FLOAT32', shape: [] };
    expect(parseTfliteSignature(encodeTflite(spec)).inputs[0]?.shape).toEqual([]);
  });

  it('maps every TensorType to an ElementType and keeps the TFLite name', () => {
    const types: Array<[TfliteTensorSpec['type'], TensorInfo['elementType']]> = [
      ['FLOAT32', 'float32'], ['FLOAT16', 'float16'], ['FLOAT64', 'float64'], ['BFLOAT16', 'bfloat16'],
      ['INT8', 'int8'], ['UINT8', 'uint8'], ['INT16', 'int16'], ['UINT16', 'uint16'], ['INT32', 'int32'],
      ['UINT32', 'uint32'], ['INT64', 'int64'], ['UINT64', 'uint64'], ['BOOL', 'bool'], ['STRING', 'string'],
      ['COMPLEX64', 'unknown'], ['COMPLEX128', 'unknown'], ['INT4', 'unknown'], ['RESOURCE', 'unknown'],
      ['VARIANT', 'unknown'], ['FLOAT8_E4M3FN', 'unknown'],
    ];
    const tensors = types.map(([type], i): TfliteTensorSpec => ({ name: `t${i}`, type, shape: [2] }));
    const inputs = tensors.map((_, i) => i);
    const signature = parseTfliteSignature(encodeTflite({ subgraphs: [{ tensors, inputs, outputs: inputs, operators: [] }] }));
    expect(signature.inputs.map((t) => t.elementType)).toEqual(types.map(([, e]) => e));
    expect(signature.tflite?.inputs.map((t) => t.tensorType)).toEqual(types.map(([t]) => t));
    expect(signature.nodeCount).toBe(0);
  });

  it('reads per-tensor and per-channel quantization of inputs and outputs', () => {
    const spec = smallSpec();
    const sg = spec.subgraphs[0]!;
    sg.tensors[0] = { name: 'x', type: 'INT8', shape: [1, 4], quantization: { scale: [0.5, 0.25, 0.125, 2], zeroPoint: [-3, 0, 7, -128], quantizedDimension: 1 } };
    sg.tensors[4] = { name: 'p', type: 'UINT8', shape: [1, 3], quantization: { scale: [1 / 256], zeroPoint: [0] } };
    const signature = parseTfliteSignature(encodeTflite(spec));
    expect(signature.inputs[0]).toEqual({ name: 'x', elementType: 'int8', shape: [1, 4] });
    expect(signature.tflite?.inputs[0]?.quantization).toEqual({ scale: [0.5, 0.25, 0.125, 2], zeroPoint: [-3, 0, 7, -128], quantizedDimension: 1 });
    expect(signature.tflite?.outputs[0]).toEqual({ name: 'p', tensorIndex: 4, tensorType: 'UINT8', quantization: { scale: [1 / 256], zeroPoint: [0], quantizedDimension: 0 } });
  });

  it('lists SignatureDefs, operators over all subgraphs and custom ops', () => {
    const spec = smallSpec();
    spec.subgraphs.push({
      name: 'postprocess',
      tensors: [
        { name: 'scores', type: 'FLOAT32', shape: [3] },
        { name: 'top', type: 'INT32', shape: [1] },
      ],
      inputs: [0],
      outputs: [1],
      operators: [
        { op: { custom: 'TopOne' }, inputs: [0], outputs: [1] },
        { op: 'ARG_MAX', version: 2, inputs: [0], outputs: [1] },
        { op: 'STABLEHLO_COMPOSITE', inputs: [0], outputs: [1] },
      ],
    });
    spec.signatureDefs?.push({ key: 'postprocess', subgraphIndex: 1, inputs: { scores: 0 }, outputs: { top: 1 } });
    spec.metadata = { producer: new TextEncoder().encode('test') };
    const signature = parseTfliteSignature(encodeTflite(spec));
    expect(signature.nodeCount).toBe(2);
    expect(signature.tflite).toMatchObject({
      subgraphCount: 2,
      operatorCount: 5,
      builtinOps: ['ARG_MAX', 'FULLY_CONNECTED', 'SOFTMAX', 'STABLEHLO_COMPOSITE'],
      customOps: ['TopOne'],
      metadata: ['producer'],
      minRuntimeVersion: null,
      description: 'edgeproof test model',
      signatureDefs: [
        { key: 'serving_default', subgraphIndex: 0, inputs: [{ name: 'features', tensor: 'x' }], outputs: [{ name: 'scores', tensor: 'p' }] },
        { key: 'postprocess', subgraphIndex: 1, inputs: [{ name: 'scores', tensor: 'scores' }], outputs: [{ name: 'top', tensor: 'top' }] },
      ],
    });
    expect(ModelSignature.parse(signature)).toEqual(signature);
  });

  it('the writer names the field of an index out of range', () => {
    const spec = smallSpec();
    spec.subgraphs[0]!.operators[1]!.inputs = [9];
    expect(() => encodeTflite(spec)).toThrow('subgraphs[0].operators[1].inputs[0]: tensor index 9 is out of range (5 tensors)');
    const sig = smallSpec();
    sig.signatureDefs![0]!.outputs = { scores: 5 };
    expect(() => encodeTflite(sig)).toThrow('signatureDefs[0].outputs.scores: tensor index 5 is out of range');
  });
});

describe('TFLite models that are well-formed FlatBuffers but not valid models', () => {
  it('refuses zero subgraphs, a foreign schema version, no inputs, and inputs that name no tensor', () => {
    const none = rejection(rawModel({ subgraphs: 0 }));
    expect([none.reason, none.message]).toEqual(['no_graph', 'TFLite model has no subgraphs']);
    const v2 = rejection(rawModel({ subgraphs: 1, inputs: [0], version: 2 }));
    expect([v2.reason, v2.message]).toEqual(['not_a_model', 'file is not a valid TFLite model: schema version 2, but TFL3 files are version 3']);
    expect(rejection(rawModel({ subgraphs: 1 })).reason).toBe('no_inputs');
    const dangling = rejection(rawModel({ subgraphs: 1, inputs: [5] }));
    expect([dangling.reason, dangling.message]).toEqual(['not_a_model', 'file is not a valid TFLite model: subgraph 0 input 0 is tensor 5, but the subgraph has 0 tensors']);
  });

  it('refuses an unnamed custom op, a dimension below -1, and a shape_signature that contradicts the shape', () => {
    const spec = smallSpec();
    spec.subgraphs[0]!.operators.push({ op: { custom: '' }, inputs: [4], outputs: [4] });
    expect(rejection(encodeTflite(spec)).message).toBe('file is not a valid TFLite model: operator code 2 is CUSTOM but has no custom_code');
    const negative = smallSpec();
    negative.subgraphs[0]!.tensors[0]!.shapeSignature = [-1, -4];
    expect(rejection(encodeTflite(negative)).message).toBe('file is not a valid TFLite model: tensor "x" has dimension 1 of size -4');
    const mismatch = smallSpec();
    mismatch.subgraphs[0]!.tensors[0]!.shapeSignature = [-1, 5];
    expect(rejection(encodeTflite(mismatch)).message).toBe('file is not a valid TFLite model: tensor "x" has dimension 1 of size 4 in its shape but 5 in its shape_signature');
    mismatch.subgraphs[0]!.tensors[0]!.shapeSignature = [-1, 4, 1];
    expect(rejection(encodeTflite(mismatch)).message).toBe('file is not a valid TFLite model: tensor "x" has a shape of rank 2 but a shape_signature of rank 3');
  });
});
