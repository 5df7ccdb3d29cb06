/**
 * Accuracy and parity through the native harness contract, at the DeviceShell boundary (no phone can
 * run here): the stand-in app checks what it was given (input file, score output) and answers with a
 * recorded result file from test/fixtures/android.
 */
import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { NativeInputLine, type DatasetSample } from '@edgeproof/contracts';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { DriverJob } from '../src/driver.ts';
import type { DeviceShell } from '../src/android/device-shell.ts';
import { runNativeJob } from '../src/android/native-benchmarks.ts';
import { makeJob, writeDataset, writeModel } from './support/fixtures.ts';
import { linearClassifier } from './support/onnx-models.ts';

const FIXTURES = join(import.meta.dirname, 'fixtures/android');
const SAMPLES: DatasetSample[] = [
  { inputs: { x: [1, 0, 0, 0.5] }, label: 0 },
  { inputs: { x: [0, 1, 0, 0.5] }, label: 1 },
  { inputs: { x: [0, 0, 1, 0.5] }, label: 2 },
  { inputs: { x: [0.9, 0.1, 0, 0] }, label: 0 },
  { inputs: { x: [0, 0.2, 0.8, 0] }, label: 2 },
  { inputs: { x: [0.7, 0.2, 0.1, 0] }, label: 1 }, // predicted 0: wrong
];
const cfg = { package: 'com.example.vision', activity: '.EdgeproofActivity', pollIntervalMs: 20 };

let dir: string;
let model: string;
let dataset: NonNullable<DriverJob['dataset']>;

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'ep-native-bench-'));
  model = await writeModel(dir, 'linear.onnx', linearClassifier());
  dataset = await writeDataset(dir, { taskKind: 'classification', inputs: [{ name: 'x', elementType: 'float32', shape: [1, 4] }], labels: ['a', 'b', 'c'] }, SAMPLES);
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

const words = (line: string) => execFileSync('sh', ['-c', `set -- ${line}; for a; do printf '%s\\0' "$a"; done`], { encoding: 'utf8' }).split('\0').slice(0, -1);

/** A phone whose app answers `am start` with `answer(extras, files)` written to the result path. */
function phoneAnswering(answer: (extras: Record<string, string>, files: Map<string, Buffer>) => string): DeviceShell & { seen: Record<string, string>; files: Map<string, Buffer> } {
  const files = new Map<string, Buffer>();
  const phone = {
    seen: {} as Record<string, string>,
    files,
    shell: async (command: string, args: string[] = []) => {
      const w = words([command, ...args].join(' '));
      if (w[0] === 'am' && w[1] === 'start') {
        for (let i = 2; i < w.length; i++) if (w[i] === '--es') phone.seen[w[++i]!] = w[++i]!;
        const extras = { ...phone.seen };
        setTimeout(() => files.set(extras['edgeproof.resultPath']!, Buffer.from(answer(extras, files))), 20);
      }
      if (w[0] === 'rm') for (const p of w.slice(2)) for (const f of [...files.keys()]) if (f === p || f.startsWith(`${p}/`)) files.delete(f);
      return '';
    },
    push: async (local: string, remote: string) => void files.set(remote, readFileSync(local)),
    pull: async (remote: string) => files.get(remote) ?? Promise.reject(new Error('no such file')),
    install: async () => undefined,
  };
  return phone;
}

const recorded = (name: string, jobId: string) => readFileSync(join(FIXTURES, name), 'utf8').replace('JOB_ID', jobId);

describe('native harness: accuracy and parity', () => {
  it('accuracy: pushes the dataset samples as input lines, passes the score output, and scores the recorded result', async () => {
    let lines: NativeInputLine[] = [];
    const phone = phoneAnswering((extras, files) => {
      lines = files.get(extras['edgeproof.inputsPath']!)!.toString().trim().split('\n').map((l) => NativeInputLine.parse(JSON.parse(l)));
      return recorded('native-accuracy-result.linear-6-samples.json', extras['edgeproof.jobId']!);
    });
    const out = await runNativeJob(phone, makeJob(model, 'accuracy', {}, dataset), cfg, new AbortController().signal);
    expect(phone.seen).toMatchObject({ 'edgeproof.benchmark': 'accuracy', 'edgeproof.scoreOutput': 'probs', 'edgeproof.labelCount': '3' });
    expect(lines.map((l) => l.label)).toEqual([0, 1, 2, 0, 2, 1]);
    const x = lines[3]!.tensors['x']!;
    expect(x).toMatchObject({ type: 'float32', dims: [1, 4] });
    expect(Array.from(new Float32Array(Uint8Array.from(Buffer.from(x.base64, 'base64')).buffer))).toEqual([0.9, 0.1, 0, 0].map(Math.fround));
    expect(out.rawSamples).toEqual([1, 1, 1, 1, 1, 0]);
    expect(out.summary).toMatchObject({ kind: 'accuracy', samples: 6, correctTop1: 5, output: 'probs', datasetSha256: dataset.sha256 });
    // model, input file and result are removed from the phone after the job
    expect(phone.files.size).toBe(0);
  });

  it('parity: compares the recorded outputs with onnxruntime-node on the same inputs, per input set', async () => {
    const phone = phoneAnswering((extras) => recorded('native-parity-result.linear-6-samples.json', extras['edgeproof.jobId']!));
    const out = await runNativeJob(phone, makeJob(model, 'parity', { inputSource: 'dataset', paritySamples: 6 }, dataset), cfg, new AbortController().signal);
    expect(out.summary).toMatchObject({ kind: 'parity', samples: 6, reference: { runtime: 'onnxruntime-node' } });
    // the recording raised sample 4's probs[2] by 0.002; everything else matches to float32 printing precision
    expect(out.rawSamples[4]).toBeCloseTo(0.002, 6);
    for (const [i, e] of out.rawSamples.entries()) if (i !== 4) expect(e).toBeLessThan(1e-6);
  });

  it("a result without the benchmark's field fails, naming it, without retry", async () => {
    const phone = phoneAnswering((extras) => recorded('native-parity-result.linear-6-samples.json', extras['edgeproof.jobId']!));
    const err = await runNativeJob(phone, makeJob(model, 'accuracy', {}, dataset), cfg, new AbortController().signal).catch((e: unknown) => e);
    expect(err).toMatchObject({ code: 'invalid_input', retryable: false, message: 'native harness result "scores": expected 6 rows (one per input line), got none' });
  });
});
