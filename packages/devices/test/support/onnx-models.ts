import onnxProto from 'onnx-proto';

/** Tiny ONNX models built in the tests, so the host driver is exercised on graphs with known answers. */
const { onnx } = onnxProto;
const FLOAT = onnx.TensorProto.DataType.FLOAT;

function floats(name: string, dims: number[], values: number[]): onnxProto.onnx.ITensorProto {
  const bytes = new Uint8Array(values.length * 4);
  const view = new DataView(bytes.buffer);
  values.forEach((v, i) => view.setFloat32(i * 4, v, true));
  return { name, dims, dataType: FLOAT, rawData: bytes };
}

function info(name: string, elemType: number, shape: (number | string)[] | null): onnxProto.onnx.IValueInfoProto {
  const dims = shape?.map((d) => (typeof d === 'number' ? { dimValue: d } : { dimParam: d }));
  return { name, type: { tensorType: { elemType, ...(dims ? { shape: { dim: dims } } : {}) } } };
}

function encode(graph: onnxProto.onnx.IGraphProto): Uint8Array {
  const model = onnx.ModelProto.create({
    irVersion: 7,
    opsetImport: [{ domain: '', version: 13 }],
    producerName: 'edgeproof-devices-test',
    producerVersion: '1',
    graph,
  });
  return onnx.ModelProto.encode(model).finish();
}

/** Linear weights: class k scores 3*x[k] (k < 3); the 4th feature only adds noise-free bias. */
export const LINEAR_WEIGHTS = [3, 0, 0, 0, 3, 0, 0, 0, 3, 1, 1, 1];

/** x float32 ["batch", 4] → MatMul W[4,3] → Add b → Softmax → "probs" ["batch", 3]. */
export function linearClassifier(): Uint8Array {
  return encode({
    name: 'linear',
    node: [
      { opType: 'MatMul', name: 'mm', input: ['x', 'W'], output: ['logits0'] },
      { opType: 'Add', name: 'add', input: ['logits0', 'b'], output: ['logits'] },
      {
        opType: 'Softmax',
        name: 'softmax',
        input: ['logits'],
        output: ['probs'],
        attribute: [{ name: 'axis', type: onnx.AttributeProto.AttributeType.INT, i: -1 }],
      },
    ],
    initializer: [floats('W', [4, 3], LINEAR_WEIGHTS), floats('b', [3], [0.1, 0, -0.1])],
    input: [info('x', FLOAT, ['batch', 4])],
    output: [info('probs', FLOAT, ['batch', 3])],
  });
}
