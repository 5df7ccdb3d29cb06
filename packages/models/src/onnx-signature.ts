import type { Dim, ElementType, ModelSignature, TensorInfo } from '@edgeproof/contracts';
import onnxProto from 'onnx-proto';
import { InvalidModelError } from './invalid-model.ts';

const { onnx } = onnxProto;

/** TensorProto.DataType codes; newer codes (float8, int4, ...) and complex types map to 'unknown'. */
const ELEMENT_TYPES: Readonly<Record<number, ElementType>> = {
  1: 'float32',
  2: 'uint8',
  3: 'int8',
  4: 'uint16',
  5: 'int16',
  6: 'int32',
  7: 'int64',
  8: 'string',
  9: 'bool',
  10: 'float16',
  11: 'float64',
  12: 'uint32',
  13: 'uint64',
  16: 'bfloat16',
};

type Int64 = number | { toNumber(): number };

function toNumber(value: Int64 | null | undefined): number {
  if (value === null || value === undefined) return 0;
  return typeof value === 'number' ? value : value.toNumber();
}

/** Decode an ONNX ModelProto and describe its graph inputs (initializers excluded), outputs and metadata. */
export function parseOnnxSignature(bytes: Uint8Array): ModelSignature {
  const model = decodeModel(bytes);
  const irVersion = toNumber(model.irVersion);
  if (irVersion <= 0) {
    throw new InvalidModelError('not_a_model', 'file is not an ONNX model: the protobuf has no ir_version');
  }
  const graph = model.graph;
  if (!graph) throw new InvalidModelError('no_graph', 'ONNX model has no graph');

  const initializers = new Set<string>([
    ...(graph.initializer ?? []).map((t) => t.name ?? ''),
    ...(graph.sparseInitializer ?? []).map((t) => t.values?.name ?? ''),
  ]);
  const inputs = (graph.input ?? []).filter((v) => !initializers.has(v.name ?? '')).map(tensorInfo);
  if (inputs.length === 0) throw new InvalidModelError('no_inputs', 'model declares no inputs');

  const producerName = model.producerName ?? '';
  const producerVersion = model.producerVersion ?? '';
  return {
    format: 'onnx',
    inputs,
    outputs: (graph.output ?? []).map(tensorInfo),
    irVersion,
    opsets: (model.opsetImport ?? []).map((o) => ({
      domain: o.domain === 'ai.onnx' ? '' : (o.domain ?? ''),
      version: toNumber(o.version),
    })),
    producer: producerName === '' && producerVersion === '' ? null : { name: producerName, version: producerVersion },
    nodeCount: (graph.node ?? []).length,
  };
}

function decodeModel(bytes: Uint8Array): onnxProto.onnx.ModelProto {
  try {
    return onnx.ModelProto.decode(bytes);
  } catch (err) {
    const detail = err instanceof Error ? err.message : String(err);
    throw new InvalidModelError('truncated', `ONNX protobuf is truncated or corrupt: ${detail}`);
  }
}

function tensorInfo(value: onnxProto.onnx.IValueInfoProto): TensorInfo {
  const tensor = value.type?.tensorType;
  const name = value.name ?? '';
  if (!tensor) return { name, elementType: 'unknown', shape: null };
  return {
    name,
    elementType: ELEMENT_TYPES[tensor.elemType ?? 0] ?? 'unknown',
    shape: tensor.shape ? (tensor.shape.dim ?? []).map(toDim) : null,
  };
}

/** Decoded messages keep defaults on the prototype, so only own properties were present in the file. */
function toDim(dim: onnxProto.onnx.TensorShapeProto.IDimension): Dim {
  if (Object.hasOwn(dim, 'dimValue')) return toNumber(dim.dimValue);
  if (Object.hasOwn(dim, 'dimParam') && dim.dimParam) return dim.dimParam;
  return null;
}
