import * as flatbuffers from 'flatbuffers';
import { ActivationFunctionType } from './generated/tflite/activation-function-type.ts';
import { Buffer as TfliteBuffer } from './generated/tflite/buffer.ts';
import { BuiltinOperator } from './generated/tflite/builtin-operator.ts';
import { BuiltinOptions } from './generated/tflite/builtin-options.ts';
import { FullyConnectedOptions } from './generated/tflite/fully-connected-options.ts';
import { FullyConnectedOptionsWeightsFormat } from './generated/tflite/fully-connected-options-weights-format.ts';
import { Metadata } from './generated/tflite/metadata.ts';
import { Model } from './generated/tflite/model.ts';
import { OperatorCode } from './generated/tflite/operator-code.ts';
import { Operator } from './generated/tflite/operator.ts';
import { QuantizationParameters } from './generated/tflite/quantization-parameters.ts';
import { QuantizationDetails } from './generated/tflite/quantization-details.ts';
import { ReshapeOptions } from './generated/tflite/reshape-options.ts';
import { SignatureDef } from './generated/tflite/signature-def.ts';
import { SoftmaxOptions } from './generated/tflite/softmax-options.ts';
import { SubGraph } from './generated/tflite/sub-graph.ts';
import { TensorMap } from './generated/tflite/tensor-map.ts';
import { TensorType } from './generated/tflite/tensor-type.ts';
import { Tensor } from './generated/tflite/tensor.ts';

/**
 * Writes TFLite files with the flatc-generated builders: a model described by tensors, operators
 * and signatures, names as the schema spells them ("FULLY_CONNECTED", "INT8"). Used by the model
 * zoo and by tests; it writes what it is told (an op whose inputs make no sense is written too).
 */

export type TfliteTensorTypeName = keyof typeof TensorType;
export type TfliteBuiltinName = keyof typeof BuiltinOperator;

export interface TfliteTensorSpec {
  name: string;
  type: TfliteTensorTypeName;
  shape: number[];
  /** shape with -1 for dynamic dims; omitted when every dim is fixed */
  shapeSignature?: number[];
  /** constant contents, little-endian, row-major */
  data?: Uint8Array;
  quantization?: { scale: number[]; zeroPoint: number[]; quantizedDimension?: number };
}

export type TfliteOptionsSpec =
  | { kind: 'FullyConnectedOptions'; fusedActivation?: keyof typeof ActivationFunctionType; keepNumDims?: boolean }
  | { kind: 'SoftmaxOptions'; beta: number }
  | { kind: 'ReshapeOptions'; newShape: number[] };

export interface TfliteOperatorSpec {
  /** a builtin operator, or a custom one by name */
  op: TfliteBuiltinName | { custom: string };
  /** operator version (default 1); the runtime picks the kernel by builtin and version */
  version?: number;
  /** tensor indices; -1 marks an omitted optional input */
  inputs: number[];
  outputs: number[];
  options?: TfliteOptionsSpec;
}

export interface TfliteSubgraphSpec {
  name?: string;
  tensors: TfliteTensorSpec[];
  inputs: number[];
  outputs: number[];
  operators: TfliteOperatorSpec[];
}

export interface TfliteSignatureDefSpec {
  key: string;
  subgraphIndex?: number;
  /** signature name -> tensor index in the subgraph */
  inputs: Record<string, number>;
  outputs: Record<string, number>;
}

export interface TfliteModelSpec {
  description?: string;
  subgraphs: TfliteSubgraphSpec[];
  signatureDefs?: TfliteSignatureDefSpec[];
  /** metadata entries, each stored in a buffer of its own */
  metadata?: Record<string, Uint8Array>;
  /** Model.version; 3 (the only version TFL3 files have) unless a test wants another */
  schemaVersion?: number;
}

/** constant data is aligned like the TFLite converter aligns it (schema: Buffer.data force_align 16) */
const DATA_ALIGNMENT = 16;
/** OperatorCode.deprecated_builtin_code is an int8: codes past 127 store this placeholder there */
const PLACEHOLDER_FOR_GREATER_OP_CODES = 127;

/** The model as TFLite FlatBuffer bytes (identifier "TFL3"). Throws naming the field for an index out of range. */
export function encodeTflite(spec: TfliteModelSpec): Uint8Array {
  if (spec.subgraphs.length === 0) throw new Error('subgraphs: a TFLite model needs at least one subgraph');
  spec.subgraphs.forEach(checkSubgraph);
  const b = new flatbuffers.Builder(1024);
  const buffers: number[] = [TfliteBuffer.createBuffer(b, 0, 0n, 0n)]; // buffer 0: the empty buffer tensors without data use
  const addBuffer = (data: Uint8Array): number => {
    buffers.push(TfliteBuffer.createBuffer(b, alignedBytes(b, data), 0n, 0n));
    return buffers.length - 1;
  };

  const codes = new Map<string, { index: number; op: TfliteOperatorSpec['op']; version: number }>();
  const codeIndex = (op: TfliteOperatorSpec): number => {
    const version = op.version ?? 1;
    const key = `${typeof op.op === 'string' ? op.op : `custom:${op.op.custom}`}@${version}`;
    let code = codes.get(key);
    if (code === undefined) {
      code = { index: codes.size, op: op.op, version };
      codes.set(key, code);
    }
    return code.index;
  };

  const subgraphs = spec.subgraphs.map((sg, s) => {
    const tensors = sg.tensors.map((t) => writeTensor(b, t, t.data === undefined ? 0 : addBuffer(t.data)));
    const operators = sg.operators.map((op) => writeOperator(b, op, codeIndex(op)));
    return SubGraph.createSubGraph(
      b,
      SubGraph.createTensorsVector(b, tensors),
      SubGraph.createInputsVector(b, sg.inputs),
      SubGraph.createOutputsVector(b, sg.outputs),
      SubGraph.createOperatorsVector(b, operators),
      b.createString(sg.name ?? (s === 0 ? 'main' : `subgraph_${s}`)),
      0,
    );
  });

  const operatorCodes = [...codes.values()].map(({ op, version }) => {
    if (typeof op !== 'string') return OperatorCode.createOperatorCode(b, BuiltinOperator.CUSTOM, b.createString(op.custom), version, BuiltinOperator.CUSTOM);
    const code = BuiltinOperator[op];
    return OperatorCode.createOperatorCode(b, Math.min(code, PLACEHOLDER_FOR_GREATER_OP_CODES), 0, version, code);
  });

  const metadata = Object.entries(spec.metadata ?? {}).map(([name, data]) => Metadata.createMetadata(b, b.createString(name), addBuffer(data)));
  const signatureDefs = (spec.signatureDefs ?? []).map((def, i) => writeSignatureDef(b, def, spec.subgraphs, `signatureDefs[${i}]`));

  const model = Model.createModel(
    b,
    spec.schemaVersion ?? 3,
    Model.createOperatorCodesVector(b, operatorCodes),
    Model.createSubgraphsVector(b, subgraphs),
    spec.description === undefined ? 0 : b.createString(spec.description),
    Model.createBuffersVector(b, buffers),
    0,
    Model.createMetadataVector(b, metadata),
    Model.createSignatureDefsVector(b, signatureDefs),
    0,
    0,
  );
  Model.finishModelBuffer(b, model);
  return b.asUint8Array().slice();
}

function checkSubgraph(sg: TfliteSubgraphSpec, s: number): void {
  const count = sg.tensors.length;
  const check = (field: string, index: number, optional = false) => {
    if (!Number.isInteger(index) || index >= count || index < (optional ? -1 : 0)) {
      throw new Error(`subgraphs[${s}].${field}: tensor index ${index} is out of range (${count} tensors)`);
    }
  };
  sg.inputs.forEach((t, i) => check(`inputs[${i}]`, t));
  sg.outputs.forEach((t, i) => check(`outputs[${i}]`, t));
  sg.operators.forEach((op, o) => {
    op.inputs.forEach((t, i) => check(`operators[${o}].inputs[${i}]`, t, true));
    op.outputs.forEach((t, i) => check(`operators[${o}].outputs[${i}]`, t));
  });
}

/** A byte vector aligned to DATA_ALIGNMENT; the generated createDataVector ignores the schema's force_align. */
function alignedBytes(b: flatbuffers.Builder, data: Uint8Array): flatbuffers.Offset {
  b.startVector(1, data.length, DATA_ALIGNMENT);
  for (let i = data.length - 1; i >= 0; i--) b.addInt8(data[i] as number);
  return b.endVector();
}

function writeTensor(b: flatbuffers.Builder, t: TfliteTensorSpec, buffer: number): flatbuffers.Offset {
  const shape = Tensor.createShapeVector(b, t.shape);
  const signature = t.shapeSignature === undefined ? 0 : Tensor.createShapeSignatureVector(b, t.shapeSignature);
  const name = b.createString(t.name);
  const q = t.quantization;
  const quantization =
    q === undefined
      ? 0
      : QuantizationParameters.createQuantizationParameters(
          b,
          0,
          0,
          QuantizationParameters.createScaleVector(b, q.scale),
          QuantizationParameters.createZeroPointVector(b, q.zeroPoint.map((z) => BigInt(z))),
          QuantizationDetails.NONE,
          0,
          q.quantizedDimension ?? 0,
        );
  Tensor.startTensor(b);
  Tensor.addShape(b, shape);
  Tensor.addType(b, TensorType[t.type]);
  Tensor.addBuffer(b, buffer);
  Tensor.addName(b, name);
  if (quantization !== 0) Tensor.addQuantization(b, quantization);
  if (signature !== 0) Tensor.addShapeSignature(b, signature);
  Tensor.addHasRank(b, true);
  return Tensor.endTensor(b);
}

function writeOptions(b: flatbuffers.Builder, options: TfliteOptionsSpec | undefined): { type: BuiltinOptions; offset: flatbuffers.Offset } {
  switch (options?.kind) {
    case undefined:
      return { type: BuiltinOptions.NONE, offset: 0 };
    case 'FullyConnectedOptions':
      return {
        type: BuiltinOptions.FullyConnectedOptions,
        offset: FullyConnectedOptions.createFullyConnectedOptions(
          b,
          ActivationFunctionType[options.fusedActivation ?? 'NONE'],
          FullyConnectedOptionsWeightsFormat.DEFAULT,
          options.keepNumDims ?? false,
          false,
          TensorType.FLOAT32,
        ),
      };
    case 'SoftmaxOptions':
      return { type: BuiltinOptions.SoftmaxOptions, offset: SoftmaxOptions.createSoftmaxOptions(b, options.beta) };
    case 'ReshapeOptions':
      return {
        type: BuiltinOptions.ReshapeOptions,
        offset: ReshapeOptions.createReshapeOptions(b, ReshapeOptions.createNewShapeVector(b, options.newShape)),
      };
  }
}

function writeOperator(b: flatbuffers.Builder, op: TfliteOperatorSpec, opcodeIndex: number): flatbuffers.Offset {
  const inputs = Operator.createInputsVector(b, op.inputs);
  const outputs = Operator.createOutputsVector(b, op.outputs);
  const options = writeOptions(b, op.options);
  Operator.startOperator(b);
  Operator.addOpcodeIndex(b, opcodeIndex);
  Operator.addInputs(b, inputs);
  Operator.addOutputs(b, outputs);
  if (options.offset !== 0) {
    Operator.addBuiltinOptionsType(b, options.type);
    Operator.addBuiltinOptions(b, options.offset);
  }
  return Operator.endOperator(b);
}

function writeSignatureDef(b: flatbuffers.Builder, def: TfliteSignatureDefSpec, subgraphs: TfliteSubgraphSpec[], field: string): flatbuffers.Offset {
  const subgraphIndex = def.subgraphIndex ?? 0;
  const subgraph = subgraphs[subgraphIndex];
  if (subgraph === undefined) throw new Error(`${field}.subgraphIndex: no subgraph ${subgraphIndex}`);
  const maps = (which: 'inputs' | 'outputs') =>
    Object.entries(def[which]).map(([name, index]) => {
      if (!Number.isInteger(index) || index < 0 || index >= subgraph.tensors.length) {
        throw new Error(`${field}.${which}.${name}: tensor index ${index} is out of range (${subgraph.tensors.length} tensors)`);
      }
      return TensorMap.createTensorMap(b, b.createString(name), index);
    });
  return SignatureDef.createSignatureDef(
    b,
    SignatureDef.createInputsVector(b, maps('inputs')),
    SignatureDef.createOutputsVector(b, maps('outputs')),
    b.createString(def.key),
    subgraphIndex,
  );
}
