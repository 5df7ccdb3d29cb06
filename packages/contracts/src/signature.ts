import { z } from 'zod';

/** ONNX TensorProto.DataType names as onnxruntime spells them. */
export const ElementType = z.enum([
  'float32',
  'uint8',
  'int8',
  'uint16',
  'int16',
  'int32',
  'int64',
  'string',
  'bool',
  'float16',
  'float64',
  'uint32',
  'uint64',
  'bfloat16',
  'unknown',
]);
export type ElementType = z.infer<typeof ElementType>;

/** A dimension is a fixed size, a symbolic name ("batch", "H"), or null when the file leaves it unnamed. */
export const Dim = z.union([z.number().int().nonnegative(), z.string(), z.null()]);
export type Dim = z.infer<typeof Dim>;

export const TensorInfo = z.object({
  name: z.string(),
  elementType: ElementType,
  /** null when the model declares no shape at all */
  shape: z.array(Dim).nullable(),
});
export type TensorInfo = z.infer<typeof TensorInfo>;

/** TFLite affine quantization of a tensor: real = scale * (q - zeroPoint), per tensor or per channel. */
export const TfliteQuantization = z.object({
  scale: z.array(z.number()),
  zeroPoint: z.array(z.number().int()),
  /** the axis `scale` and `zeroPoint` run along when they hold more than one value */
  quantizedDimension: z.number().int().nonnegative(),
});
export type TfliteQuantization = z.infer<typeof TfliteQuantization>;

/** What TFLite says about one input or output of subgraph 0, beyond its TensorInfo (same order as `inputs` / `outputs`). */
export const TfliteTensorFacts = z.object({
  name: z.string(),
  /** index into subgraph 0's tensors */
  tensorIndex: z.number().int().nonnegative(),
  /** the schema's TensorType name ("FLOAT32", "INT8", "INT4", ...), kept because elementType folds some into 'unknown' */
  tensorType: z.string(),
  /** null when the tensor is not quantized */
  quantization: TfliteQuantization.nullable(),
});
export type TfliteTensorFacts = z.infer<typeof TfliteTensorFacts>;

/** A named entry point of a TFLite model; `name` is the signature's name for a tensor, `tensor` the tensor's own name. */
export const TfliteSignatureDef = z.object({
  key: z.string(),
  subgraphIndex: z.number().int().nonnegative(),
  inputs: z.array(z.object({ name: z.string(), tensor: z.string() })),
  outputs: z.array(z.object({ name: z.string(), tensor: z.string() })),
});
export type TfliteSignatureDef = z.infer<typeof TfliteSignatureDef>;

export const TfliteFacts = z.object({
  /** Model.version; 3 for every TFL3 file */
  schemaVersion: z.number().int(),
  /** Model.description, e.g. "MLIR Converted." */
  description: z.string().nullable(),
  /** the "min_runtime_version" metadata entry, when the converter wrote one */
  minRuntimeVersion: z.string().nullable(),
  /** names of the model's metadata entries */
  metadata: z.array(z.string()),
  subgraphCount: z.number().int().nonnegative(),
  /** operators over all subgraphs (ModelSignature.nodeCount counts subgraph 0 only) */
  operatorCount: z.number().int().nonnegative(),
  /** builtin operators used anywhere in the model, by schema name ("CONV_2D"), sorted */
  builtinOps: z.array(z.string()),
  /** custom operator names, sorted */
  customOps: z.array(z.string()),
  signatureDefs: z.array(TfliteSignatureDef),
  inputs: z.array(TfliteTensorFacts),
  outputs: z.array(TfliteTensorFacts),
});
export type TfliteFacts = z.infer<typeof TfliteFacts>;

export const ModelSignature = z.object({
  format: z.enum(['onnx', 'tflite']),
  inputs: z.array(TensorInfo),
  outputs: z.array(TensorInfo),
  irVersion: z.number().int().nullable(),
  opsets: z.array(z.object({ domain: z.string(), version: z.number().int() })),
  producer: z.object({ name: z.string(), version: z.string() }).nullable(),
  nodeCount: z.number().int().nullable(),
  /** TFLite models only */
  tflite: TfliteFacts.optional(),
});
export type ModelSignature = z.infer<typeof ModelSignature>;

/** A tensor's values as onnxruntime (node and web) takes them: int64/uint64 as BigInt arrays, strings as string[]. */
export type TensorData =
  | Float32Array
  | Float64Array
  | Int8Array
  | Uint8Array
  | Int16Array
  | Uint16Array
  | Int32Array
  | Uint32Array
  | BigInt64Array
  | BigUint64Array
  | string[];
