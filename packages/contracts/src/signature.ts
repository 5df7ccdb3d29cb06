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

export const ModelSignature = z.object({
  format: z.enum(['onnx', 'tflite']),
  inputs: z.array(TensorInfo),
  outputs: z.array(TensorInfo),
  irVersion: z.number().int().nullable(),
  opsets: z.array(z.object({ domain: z.string(), version: z.number().int() })),
  producer: z.object({ name: z.string(), version: z.string() }).nullable(),
  nodeCount: z.number().int().nullable(),
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
