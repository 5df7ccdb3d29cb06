import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import * as ort from 'onnxruntime-node';
import type { OrtLike } from '../src/index.ts';

export const PYTHON = '/usr/bin/python3';
export const hasPythonOnnx: boolean = spawnSync(PYTHON, ['-c', 'import onnx'], { stdio: 'ignore' }).status === 0;

/** onnx.checker.check_model(full_check=True): null when valid, else the checker's message. */
export function onnxCheckerError(path: string): string | null {
  const r = spawnSync(PYTHON, ['-c', 'import onnx, sys; onnx.checker.check_model(onnx.load(sys.argv[1]), full_check=True)', path], { encoding: 'utf8' });
  return r.status === 0 ? null : `${r.stderr}${r.stdout}`.trim() || `exit ${r.status}`;
}

export function tempDir(prefix: string): { dir: string; cleanup: () => void } {
  const dir = mkdtempSync(join(tmpdir(), `edgeproof-feature-zoo-${prefix}-`));
  return { dir, cleanup: () => rmSync(dir, { recursive: true, force: true }) };
}

export const ortNode = ort as unknown as OrtLike;

/** The real onnxruntime-node, with every session.run counted. */
export function countingOrt(): { ort: OrtLike; runs: () => number } {
  let runs = 0;
  const wrapped: OrtLike = {
    Tensor: ortNode.Tensor,
    InferenceSession: {
      async create(model, options) {
        const session = await ortNode.InferenceSession.create(model, options);
        return {
          run(feeds) {
            runs++;
            return session.run(feeds);
          },
          release: () => session.release?.() ?? Promise.resolve(),
        };
      },
    },
  };
  return { ort: wrapped, runs: () => runs };
}
