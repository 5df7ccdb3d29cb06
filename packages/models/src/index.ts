export * from './inputs.ts';
export * from './onnx-signature.ts';
export * from './inspect.ts';
export * from './dataset.ts';
export { readLines, LineTooLongError } from './lines.ts';
