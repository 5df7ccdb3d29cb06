import onnxProto from 'onnx-proto';

/** Small helpers around onnx-proto's generated classes for building ModelProtos by hand. */

export const { onnx } = onnxProto;
export type Onnx = typeof onnx;

export const PRODUCER_NAME = 'edgeproof-model-zoo';
/** bumped whenever any generated artefact changes; part of the zoo cache key */
export const BUILDER_VERSION = '1.1.0';
/** IR version 7 pairs with opset 13 (ONNX 1.8+) */
export const IR_VERSION = 7;
export const OPSET = 13;

export const DataType = onnx.TensorProto.DataType;
const AttrType = onnx.AttributeProto.AttributeType;

export type Dim = number | string;

/** float32 initializer, little-endian rawData */
export function floatTensor(name: string, dims: number[], values: ArrayLike<number>): onnxProto.onnx.ITensorProto {
  const expected = dims.reduce((a, b) => a * b, 1);
  if (values.length !== expected) throw new Error(`tensor ${name}: ${values.length} values for dims [${dims.join(',')}]`);
  const bytes = new Uint8Array(expected * 4);
  const view = new DataView(bytes.buffer);
  for (let i = 0; i < expected; i++) view.setFloat32(i * 4, values[i] as number, true);
  return { name, dims, dataType: DataType.FLOAT, rawData: bytes };
}

/** int64 initializer, little-endian rawData (bigint so values beyond 2^53 are exact) */
export function int64Tensor(name: string, dims: number[], values: readonly bigint[]): onnxProto.onnx.ITensorProto {
  const bytes = new Uint8Array(values.length * 8);
  const view = new DataView(bytes.buffer);
  values.forEach((v, i) => view.setBigInt64(i * 8, v, true));
  return { name, dims, dataType: DataType.INT64, rawData: bytes };
}

export function boolTensor(name: string, dims: number[], values: readonly boolean[]): onnxProto.onnx.ITensorProto {
  return { name, dims, dataType: DataType.BOOL, rawData: Uint8Array.from(values, (v) => (v ? 1 : 0)) };
}

export function valueInfo(name: string, elemType: number, shape: Dim[]): onnxProto.onnx.IValueInfoProto {
  return {
    name,
    type: {
      tensorType: {
        elemType,
        shape: { dim: shape.map((d) => (typeof d === 'number' ? { dimValue: d } : { dimParam: d })) },
      },
    },
  };
}

type AttrValue = number | number[] | string | onnxProto.onnx.IGraphProto;

function attribute(name: string, value: AttrValue, float: boolean): onnxProto.onnx.IAttributeProto {
  if (typeof value === 'string') return { name, type: AttrType.STRING, s: new TextEncoder().encode(value) };
  if (Array.isArray(value)) return { name, type: AttrType.INTS, ints: value };
  if (typeof value === 'number') {
    return float ? { name, type: AttrType.FLOAT, f: value } : { name, type: AttrType.INT, i: value };
  }
  return { name, type: AttrType.GRAPH, g: value };
}

export interface NodeSpec {
  op: string;
  name: string;
  inputs: string[];
  outputs: string[];
  /** integer / int-list / string / graph attributes */
  attrs?: Record<string, AttrValue>;
  /** float attributes */
  floatAttrs?: Record<string, number>;
}

export function node(spec: NodeSpec): onnxProto.onnx.INodeProto {
  const attribute_: onnxProto.onnx.IAttributeProto[] = [];
  for (const [k, v] of Object.entries(spec.attrs ?? {})) attribute_.push(attribute(k, v, false));
  for (const [k, v] of Object.entries(spec.floatAttrs ?? {})) attribute_.push(attribute(k, v, true));
  return { opType: spec.op, name: spec.name, input: spec.inputs, output: spec.outputs, attribute: attribute_ };
}

export interface ModelSpec {
  graph: onnxProto.onnx.IGraphProto;
  docString?: string;
  metadata?: Record<string, string>;
  opset?: number;
  /** who built it (ModelProto producer_name / producer_version); default this zoo */
  producer?: { name: string; version: string };
}

export function encodeModel(spec: ModelSpec): Uint8Array {
  const model = onnx.ModelProto.create({
    irVersion: IR_VERSION,
    opsetImport: [{ domain: '', version: spec.opset ?? OPSET }],
    producerName: spec.producer?.name ?? PRODUCER_NAME,
    producerVersion: spec.producer?.version ?? BUILDER_VERSION,
    modelVersion: 1,
    docString: spec.docString ?? '',
    graph: spec.graph,
    metadataProps: Object.entries(spec.metadata ?? {}).map(([key, value]) => ({ key, value })),
  });
  return onnx.ModelProto.encode(model).finish();
}

export function decodeModel(bytes: Uint8Array): onnxProto.onnx.ModelProto {
  return onnx.ModelProto.decode(bytes);
}
