import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import * as ort from 'onnxruntime-node';
import { HANG_TRIP_COUNT, hangingModel } from '../src/index.ts';
import { hasPythonOnnx, NO_PYTHON_ONNX, onnxCheckerError, session, tempDir, writeTemp } from './helpers.ts';

const packageDir = fileURLToPath(new URL('..', import.meta.url));

// runs the model in a child process; prints "ready" before run() and "finished" after it
const CHILD = `
const ort = require('onnxruntime-node');
(async () => {
  const s = await ort.InferenceSession.create(process.env.HANG_MODEL, { intraOpNumThreads: 1 });
  process.stdout.write('ready\\n');
  await s.run({ input: new ort.Tensor('float32', Float32Array.of(0), [1]) });
  process.stdout.write('finished\\n');
})().catch((e) => { process.stderr.write(String(e)); process.exit(3); });
`;

describe('hangingModel', () => {
  it('loads in onnxruntime-node', async () => {
    const s = await session(hangingModel());
    expect(s.inputNames).toEqual(['input']);
    expect(s.outputNames).toEqual(['output']);
    await s.release();
  });

  it('its finite twin computes input + tripCount (the loop really iterates)', async () => {
    const s = await session(hangingModel({ tripCount: 1000n }));
    const out = await s.run({ input: new ort.Tensor('float32', Float32Array.of(5), [1]) });
    expect(Array.from(out.output!.data as Float32Array)).toEqual([1005]);
    await s.release();
  });

  it('does not finish within 1 s (run in a child process that is then killed)', async () => {
    const { dir, cleanup } = tempDir('hang');
    const child = spawn(process.execPath, ['-e', CHILD], {
      cwd: packageDir,
      env: { ...process.env, HANG_MODEL: writeTemp(dir, 'hang.onnx', hangingModel()) },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    const exited = once(child, 'exit');
    try {
      const deadline = Date.now() + 30_000;
      while (!stdout.includes('ready') && child.exitCode === null && Date.now() < deadline) await new Promise((r) => setTimeout(r, 20));
      expect(stdout, stderr).toContain('ready');
      await new Promise((r) => setTimeout(r, 1000));
      expect(child.exitCode, stderr).toBeNull();
      expect(stdout).not.toContain('finished');
    } finally {
      child.kill('SIGKILL');
      await exited;
      cleanup();
    }
  });

  it('declares the huge trip count', () => {
    expect(HANG_TRIP_COUNT).toBe(2n ** 63n - 1n);
    expect(() => hangingModel({ tripCount: -1n })).toThrow(RangeError);
  });

  it('passes onnx.checker (full_check)', (ctx) => {
    if (!hasPythonOnnx) ctx.skip(NO_PYTHON_ONNX);
    const { dir, cleanup } = tempDir('hang-check');
    try {
      expect(onnxCheckerError(writeTemp(dir, 'hang.onnx', hangingModel()))).toBeNull();
    } finally {
      cleanup();
    }
  });
});
