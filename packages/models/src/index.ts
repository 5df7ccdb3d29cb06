export * from './inputs.ts';
export * from './onnx-signature.ts';
export { parseTfliteSignature, readTfliteSignature, TFLITE_SIGNATURE_LIMITS } from './tflite-signature.ts';
export * from './inspect.ts';
export {
  encodeTflite,
  type TfliteModelSpec,
  type TfliteSubgraphSpec,
  type TfliteTensorSpec,
  type TfliteOperatorSpec,
  type TfliteOptionsSpec,
  type TfliteSignatureDefSpec,
  type TfliteTensorTypeName,
  type TfliteBuiltinName,
} from './tflite-writer.ts';
export * from './dataset.ts';
export { readLines, LineTooLongError } from './lines.ts';
