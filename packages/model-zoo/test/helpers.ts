import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import * as ort from 'onnxruntime-node';
import type { MnistSample } from '../src/index.ts';

export const PYTHON = '/usr/bin/python3';

/** true when Debian's python3-onnx is importable */
export const hasPythonOnnx: boolean = spawnSync(PYTHON, ['-c', 'import onnx'], { stdio: 'ignore' }).status === 0;
export const NO_PYTHON_ONNX = `python3-onnx not installed (${PYTHON} -c "import onnx" failed); onnx.checker validation skipped`;

/** Runs onnx.checker.check_model(full_check=True); returns null when valid, else the checker's message. */
export function onnxCheckerError(path: string): string | null {
  const r = spawnSync(
    PYTHON,
    ['-c', 'import onnx, sys; onnx.checker.check_model(onnx.load(sys.argv[1]), full_check=True)', path],
    { encoding: 'utf8' },
  );
  return r.status === 0 ? null : `${r.stderr}${r.stdout}`.trim() || `exit ${r.status}`;
}

export function tempDir(prefix: string): { dir: string; cleanup: () => void } {
  const dir = mkdtempSync(join(tmpdir(), `edgeproof-model-zoo-test-${prefix}-`));
  return { dir, cleanup: () => rmSync(dir, { recursive: true, force: true }) };
}

export function writeTemp(dir: string, name: string, bytes: Uint8Array): string {
  const path = join(dir, name);
  writeFileSync(path, bytes);
  return path;
}

export const SINGLE_THREAD: ort.InferenceSession.SessionOptions = {
  intraOpNumThreads: 1,
  interOpNumThreads: 1,
  executionMode: 'sequential',
};

export function session(bytes: Uint8Array): Promise<ort.InferenceSession> {
  return ort.InferenceSession.create(bytes, SINGLE_THREAD);
}

export function digitBatch(samples: readonly MnistSample[]): ort.Tensor {
  const data = new Float32Array(samples.length * 784);
  samples.forEach((s, i) => data.set(s.pixels, i * 784));
  return new ort.Tensor('float32', data, [samples.length, 1, 28, 28]);
}

export function argmaxRows(probs: Float32Array, classes: number): number[] {
  const out: number[] = [];
  for (let r = 0; r < probs.length / classes; r++) {
    let best = 0;
    for (let k = 1; k < classes; k++) if ((probs[r * classes + k] as number) > (probs[r * classes + best] as number)) best = k;
    out.push(best);
  }
  return out;
}

export async function probabilities(s: ort.InferenceSession, input: ort.Tensor): Promise<Float32Array> {
  const out = await s.run({ input });
  const t = out.probabilities;
  if (!t) throw new Error('no probabilities output');
  return t.data as Float32Array;
}
