import { createRequire } from 'node:module';

/**
 * The TFLite C runtime (libtensorflowlite_c, XNNPACK) through the prebuilt Node addon that the
 * `tfjs-tflite-node` package ships for linux-x64. The addon is loaded directly: the package's
 * own entry point pulls in tfjs-core, which these checks do not need.
 */

export interface TfliteTensor {
  name: string;
  /** "float32", "int8", ... */
  dataType: string;
  /** dims joined with commas, e.g. "1,1,28,28" */
  shape: string;
  /** a view of the tensor's buffer: fill it before infer(), read it after */
  data(): Float32Array | Int8Array | Uint8Array | Int32Array;
}

export interface TfliteInterpreter {
  getInputs(): TfliteTensor[];
  getOutputs(): TfliteTensor[];
  infer(): boolean;
}

type InterpreterClass = new (model: ArrayBuffer, options: { threads?: number }) => TfliteInterpreter;

function loadRuntime(): { Interpreter: InterpreterClass | null; reason: string } {
  try {
    const require = createRequire(import.meta.url);
    const addon = require('tfjs-tflite-node/build/Release/node_tflite_binding.node') as { Interpreter: InterpreterClass };
    return { Interpreter: addon.Interpreter, reason: '' };
  } catch (err) {
    return { Interpreter: null, reason: `TFLite runtime (tfjs-tflite-node addon) not loadable here: ${(err as Error).message}` };
  }
}

export const tfliteRuntime = loadRuntime();

/** A single-threaded interpreter for the model; throws the runtime's message for a model it refuses. */
export function interpreter(bytes: Uint8Array): TfliteInterpreter {
  const { Interpreter, reason } = tfliteRuntime;
  if (Interpreter === null) throw new Error(reason);
  const copy = bytes.buffer.slice(bytes.byteOffset, bytes.byteOffset + bytes.byteLength) as ArrayBuffer;
  return new Interpreter(copy, { threads: 1 });
}

/** Runs one input through the model and returns a copy of output 0. */
export function runOnce(model: TfliteInterpreter, input: ArrayLike<number>): number[] {
  const [tensor] = model.getInputs();
  if (tensor === undefined) throw new Error('model has no inputs');
  tensor.data().set(input);
  if (!model.infer()) throw new Error('TFLite infer() failed');
  const [output] = model.getOutputs();
  if (output === undefined) throw new Error('model has no outputs');
  return Array.from(output.data());
}
