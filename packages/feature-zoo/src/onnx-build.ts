import onnxProto from 'onnx-proto';

/** Minimal helpers around onnx-proto's generated classes for writing ModelProtos by hand. */

export const { onnx } = onnxProto;
export const PRODUCER_NAME = 'edgeproof-feature-zoo';
/** IR version 7 pairs with opset 13 (ONNX 1.8+) */
export const IR_VERSION = 7;
export const OPSET = 13;
const DataType = onnx.TensorProto.DataType;
const AttrType = onnx.AttributeProto.AttributeType;

export function floatTensor(name: string, dims: number[], values: ArrayLike<number>): onnxProto.onnx.ITensorProto {
  const expected = dims.reduce((a, b) => a * b, 1);
  if (values.length !== expected) throw new Error(`tensor ${name}: ${values.length} values for dims [${dims.join(',')}]`);
  const bytes = new Uint8Array(expected * 4);
  const view = new DataView(bytes.buffer);
  for (let i = 0; i < expected; i++) view.setFloat32(i * 4, values[i] as number, true);
  return { name, dims, dataType: DataType.FLOAT, rawData: bytes };
}

export function floatInfo(name: string, shape: Array<number | string>): onnxProto.onnx.IValueInfoProto {
  return {
    name,
    type: {
      tensorType: {
        elemType: DataType.FLOAT,
        shape: { dim: shape.map((d) => (typeof d === 'number' ? { dimValue: d } : { dimParam: d })) },
      },
    },
  };
}

export function node(
  op: string,
  name: string,
  inputs: string[],
  outputs: string[],
  attrs: Record<string, number | number[]> = {},
): onnxProto.onnx.INodeProto {
  const attribute = Object.entries(attrs).map(([k, v]) =>
    Array.isArray(v) ? { name: k, type: AttrType.INTS, ints: v } : { name: k, type: AttrType.INT, i: v },
  );
  return { opType: op, name, input: inputs, output: outputs, attribute };
}

export function encodeModel(graph: onnxProto.onnx.IGraphProto, docString: string, metadata: Record<string, string>): Uint8Array {
  const model = onnx.ModelProto.create({
    irVersion: IR_VERSION,
    opsetImport: [{ domain: '', version: OPSET }],
    producerName: PRODUCER_NAME,
    producerVersion: '1.0.0',
    modelVersion: 1,
    docString,
    graph,
    metadataProps: Object.entries(metadata).map(([key, value]) => ({ key, value })),
  });
  return onnx.ModelProto.encode(model).finish();
}
