import { fork } from 'node:child_process';
import { createRequire } from 'node:module';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { DriverError, type DriverErrorCode } from '../driver.ts';

const CHILD_ENTRY = fileURLToPath(new URL('./reference-child.ts', import.meta.url));

export interface ReferenceRequest {
  modelPath: string;
  /** per input set, the tensors by input name (GeneratedTensor shape) */
  sets: Record<string, unknown>[];
}

export type ReferenceReply =
  | { type: 'result'; outputNames: string[]; outputs: Record<string, Float64Array | null>[]; settings: string }
  | { type: 'error'; code: DriverErrorCode; message: string };

export interface ReferenceOutputs {
  /** the reference's runtime and execution provider, as the parity summary states them */
  runtime: string;
  executionProvider: string;
  outputNames: string[];
  /** per input set, every output as doubles (null for string outputs) */
  outputs: Record<string, Float64Array | null>[];
  /** how the reference session was configured (the host driver's REFERENCE_SETTINGS_TEXT) */
  settings: string;
}

/** Reference outputs from a forked onnxruntime-node process; SIGKILLs it on abort. */
export function referenceOutputs(req: ReferenceRequest, signal: AbortSignal): Promise<ReferenceOutputs> {
  return new Promise((resolve, reject) => {
    if (signal.aborted) return reject(new DriverError('aborted', 'parity reference aborted before it started'));
    const child = fork(CHILD_ENTRY, [], {
      execArgv: ['--import', pathToFileURL(createRequire(import.meta.url).resolve('tsx')).href],
      serialization: 'advanced',
      stdio: ['ignore', 'ignore', 'pipe', 'ipc'],
    });
    let stderr = '';
    child.stderr?.setEncoding('utf8');
    child.stderr?.on('data', (c: string) => (stderr = (stderr + c).slice(-2000)));
    let answer: ReferenceReply | undefined;
    const onAbort = () => child.kill('SIGKILL');
    signal.addEventListener('abort', onAbort, { once: true });
    child.on('message', (m: ReferenceReply) => (answer ??= m));
    child.on('exit', (code, sig) => {
      signal.removeEventListener('abort', onAbort);
      if (signal.aborted) reject(new DriverError('aborted', 'parity reference aborted'));
      else if (answer?.type === 'result') resolve({ runtime: 'onnxruntime-node', executionProvider: 'cpu', outputNames: answer.outputNames, outputs: answer.outputs, settings: answer.settings });
      else if (answer?.type === 'error') reject(new DriverError(answer.code, `parity reference (onnxruntime-node): ${answer.message}`));
      else reject(new DriverError('crashed', `parity reference process ended (${sig ?? `code ${code}`}) without a result ${stderr.trim()}`.trim()));
    });
    child.send(req, () => {});
  });
}
