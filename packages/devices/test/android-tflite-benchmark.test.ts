/**
 * TFLite latency through benchmark_model: the command line, installing the binary, running it in the background on
 * the phone, and the job's protocol and error paths. The phone is stood in for at the DeviceShell boundary only
 * (support/benchmark-model-phone.ts); the tool's outputs are recorded ones (fixtures/benchmark-model/).
 */
import { createHash } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { BenchmarkSettings, LatencySummary, type BenchmarkSettingsInput } from '@edgeproof/contracts';
import { encodeTflite, parseTfliteSignature } from '@edgeproof/models';
import { afterAll, afterEach, describe, expect, it } from 'vitest';
import { DriverError, type DriverJob } from '../src/driver.ts';
import { benchmarkModelArgs, installBinary, BINARY_ENV } from '../src/android/tflite-benchmark.ts';
import { runTfliteBenchmarkJob } from '../src/android/tflite-benchmark-job.ts';
import { parseBenchmarkModel } from '../src/android/parse-benchmark-model.ts';
import { benchmarkFixture, removeBenchmarkPhones, shellPhone, writeStandin } from './support/benchmark-model-phone.ts';

const work = mkdtempSync(join(tmpdir(), 'bm-job-'));
const f32 = (v: number[]) => new Uint8Array(Float32Array.from(v).buffer);
function model(name: string, shapeSignature?: number[]): string {
  const bytes = encodeTflite({
    description: 'edgeproof benchmark_model test model',
    subgraphs: [
      {
        tensors: [
          { name: 'x', type: 'FLOAT32', shape: [1, 4], ...(shapeSignature ? { shapeSignature } : {}) },
          { name: 'w', type: 'FLOAT32', shape: [3, 4], data: f32([1, 0, 0, 0, 0, 1, 0, 0, 0, 0, 1, 1]) },
          { name: 'b', type: 'FLOAT32', shape: [3], data: f32([0.5, -0.5, 0]) },
          { name: 'p', type: 'FLOAT32', shape: [1, 3] },
        ],
        inputs: [0],
        outputs: [3],
        operators: [{ op: 'FULLY_CONNECTED', inputs: [0, 1, 2], outputs: [3], options: { kind: 'FullyConnectedOptions', fusedActivation: 'RELU' } }],
      },
    ],
  });
  const path = join(work, name);
  writeFileSync(path, bytes);
  return path;
}
const modelPath = model('model.tflite');
const dynamicPath = model('dynamic.tflite', [-1, 4]);
const sha = (p: string) => createHash('sha256').update(readFileSync(p)).digest('hex');

function job(settings: BenchmarkSettingsInput = {}, path = modelPath, extra: Partial<DriverJob> = {}): DriverJob {
  const bytes = readFileSync(path);
  return {
    jobId: '5e0c8a64-5f0f-4d8e-9a11-000000000b01',
    benchmark: 'latency',
    model: { path, sha256: sha(path), format: 'tflite', signature: parseTfliteSignature(bytes) },
    dataset: null,
    settings: BenchmarkSettings.parse({ threads: 4, warmupMinRuns: 1, warmupMinSeconds: 0, measureMinRuns: 4, measureMinSeconds: 0, timeoutSeconds: 20, ...settings }),
    ...extra,
  };
}

const gpuRecording = benchmarkFixture('android-recent.gpu-and-nnapi.percentiles.txt');
const gpuRuns = parseBenchmarkModel(gpuRecording).inference;
// real single runs of that recording: its first, last, fastest and slowest timed run
const gpuRoundUs = [gpuRuns?.firstUs, gpuRuns?.currUs, gpuRuns?.minUs, gpuRuns?.maxUs] as number[];

async function failure(p: Promise<unknown>): Promise<DriverError> {
  const err = await p.then(() => null, (e: unknown) => e);
  expect(err).toBeInstanceOf(DriverError);
  return err as DriverError;
}

afterEach(() => {
  delete process.env[BINARY_ENV];
});

describe('benchmark_model command line', () => {
  const base = { graph: '/data/local/tmp/edgeproof/j/model.tflite', threads: 4, warmupRuns: 1, warmupMinSecs: 0.5, numRuns: 50, minSecs: 1, maxSecs: 60 };

  it('the job\'s threads, warmup and runs, and one flag per delegate', () => {
    expect(benchmarkModelArgs(base)).toEqual([
      '--graph=/data/local/tmp/edgeproof/j/model.tflite',
      '--num_threads=4',
      '--warmup_runs=1',
      '--warmup_min_secs=0.5',
      '--num_runs=50',
      '--min_secs=1',
      '--max_secs=60',
    ]);
    expect(benchmarkModelArgs({ ...base, delegate: 'gpu' }).at(-1)).toBe('--use_gpu=true');
    expect(benchmarkModelArgs({ ...base, delegate: 'nnapi' }).at(-1)).toBe('--use_nnapi=true');
    expect(benchmarkModelArgs({ ...base, delegate: 'xnnpack' }).at(-1)).toBe('--use_xnnpack=true');
    expect(benchmarkModelArgs({ ...base, delegate: 'cpu' }).at(-1)).toBe('--use_xnnpack=false');
    expect(benchmarkModelArgs({ ...base, opProfiling: true, peakMemory: true }).slice(-2)).toEqual(['--enable_op_profiling=true', '--report_peak_memory_footprint=true']);
    expect(benchmarkModelArgs({ ...base, inputs: [{ name: 'x', shape: [2, 4] }, { name: 'mask', shape: [2] }] }).slice(-2)).toEqual(['--input_layer=x,mask', '--input_layer_shape=2,4:2']);
  });

  it('refuses what the tool cannot be told', () => {
    expect(() => benchmarkModelArgs({ ...base, delegate: 'hexagon' as never })).toThrow(/no delegate "hexagon" \(supported: cpu, xnnpack, gpu, nnapi\)/);
    expect(() => benchmarkModelArgs({ ...base, graph: 'model.tflite' })).toThrow(/absolute path/);
    expect(() => benchmarkModelArgs({ ...base, threads: 0 })).toThrow(/num_threads must be a number ≥ 1/);
    expect(() => benchmarkModelArgs({ ...base, inputs: [{ name: 'input:0', shape: [1] }] })).toThrow(/cannot be named on benchmark_model's --input_layer/);
  });
});

describe('installing the binary', () => {
  it('pushes and chmods 755 once; the same bytes are not pushed again', async () => {
    const phone = shellPhone();
    const standin = writeStandin({ reference: gpuRecording });
    const local = { path: standin.path, sha256: sha(standin.path) };
    const remote = `${phone.deviceDir}/benchmark_model`;
    expect(await installBinary(phone.shell, local, remote)).toBe(true);
    expect(statSync(remote).mode & 0o777).toBe(0o755);
    expect(await installBinary(phone.shell, local, remote)).toBe(false);
    expect(phone.pushes).toHaveLength(1);
    writeFileSync(standin.path, `${readFileSync(standin.path, 'utf8')}\n// changed\n`);
    expect(await installBinary(phone.shell, { path: standin.path, sha256: sha(standin.path) }, remote)).toBe(true);
    expect(phone.pushes).toHaveLength(2);
  });
});

describe('a latency job through benchmark_model', () => {
  it('GPU: a reference run plus one process per sample; samples, delegate and cleanup', async () => {
    const phone = shellPhone();
    const standin = writeStandin({ reference: gpuRecording, roundUs: gpuRoundUs });
    const j = job({ delegate: 'gpu' });
    const out = await runTfliteBenchmarkJob(phone.shell, j, { binaryPath: standin.path, deviceDir: phone.deviceDir, pollIntervalMs: 20 }, new AbortController().signal);

    expect(out.rawSamples).toEqual(gpuRoundUs.map((us) => us / 1000));
    expect(LatencySummary.parse(out.summary)).toEqual(out.summary);
    expect(out.summary).toMatchObject({ sessionCreateMs: 5664.363, firstInferenceMs: 328.14, warmup: { runs: 2 }, measure: { runs: 4 }, peakMemoryBytes: null });
    expect(out.summary.stats).toMatchObject({ count: 4, min: 305.938, max: 333.03 });
    expect(out.delegate).toMatchObject({ requested: 'gpu', applied: 'gpu', coverage: 'full' });
    expect(out.shapes).toEqual({ x: [1, 4] });

    const calls = standin.calls();
    expect(calls).toHaveLength(5);
    expect(calls[0]).toBe(
      `--graph=${phone.deviceDir}/${j.jobId}/model.tflite --num_threads=4 --warmup_runs=1 --warmup_min_secs=0 --num_runs=4 --min_secs=0 --max_secs=60 --use_gpu=true --enable_op_profiling=true --report_peak_memory_footprint=true`,
    );
    for (const c of calls.slice(1)) expect(c).toContain('--num_runs=1 --min_secs=0 --max_secs=60 --use_gpu=true');
    expect(calls.slice(1).some((c) => c.includes('--enable_op_profiling'))).toBe(false);
    // the model went to the job's folder and the folder is gone; the binary stays for the next job
    expect(phone.pushes.map((p) => p.remote)).toEqual([`${phone.deviceDir}/benchmark_model`, `${phone.deviceDir}/${j.jobId}/model.tflite`]);
    expect(phone.commands.at(-1)).toBe(`rm -rf '${phone.deviceDir}/${j.jobId}'`);
    expect(() => statSync(`${phone.deviceDir}/${j.jobId}`)).toThrow();
    expect(statSync(`${phone.deviceDir}/benchmark_model`).isFile()).toBe(true);
    expect(out.extra['benchmarkModel']).toMatchObject({ binarySha256: sha(standin.path), binaryPushed: true, rounds: { count: 4 } });
  });

  it('the op profile of the reference run is in the summary; open dimensions are given to the tool', async () => {
    const phone = shellPhone();
    const rec = benchmarkFixture('linux-x86-recent.xnnpack-op-profiling.efficientdet-lite0.txt');
    const runs = parseBenchmarkModel(rec).inference;
    const standin = writeStandin({ reference: rec, roundUs: [runs?.minUs, runs?.maxUs] as number[] });
    const out = await runTfliteBenchmarkJob(phone.shell, job({ measureMinRuns: 2, inputShapes: { x: [2, 4] } }, dynamicPath), { binaryPath: standin.path, deviceDir: phone.deviceDir, pollIntervalMs: 20 }, new AbortController().signal);
    expect(out.summary.opProfile?.rows).toHaveLength(12);
    expect(out.summary.opProfile?.byNodeType[0]).toMatchObject({ nodeType: 'Convolution (NHWC, QC8) GEMM', count: 62 });
    expect(out.delegate).toMatchObject({ requested: 'default', applied: 'xnnpack' });
    expect(standin.calls()[0]).toMatch(/--enable_op_profiling=true --report_peak_memory_footprint=true --input_layer=x --input_layer_shape=2,4$/);
    expect(out.shapes).toEqual({ x: [2, 4] });
  });

  it('with a baseline the sample rounds alternate A B B A', async () => {
    const phone = shellPhone();
    const standin = writeStandin({ reference: gpuRecording, roundUs: gpuRoundUs });
    const baselinePath = model('baseline.tflite');
    const j = job({ measureMinRuns: 2 }, modelPath, { baseline: { path: baselinePath, sha256: sha(baselinePath), format: 'tflite', signature: parseTfliteSignature(readFileSync(baselinePath)), version: '0.9.0' } });
    const out = await runTfliteBenchmarkJob(phone.shell, j, { binaryPath: standin.path, deviceDir: phone.deviceDir, pollIntervalMs: 20 }, new AbortController().signal);
    const graphs = standin.calls().map((c) => /--graph=\S+\/(\w+)\.tflite/.exec(c)?.[1]);
    expect(graphs).toEqual(['model', 'baseline', 'model', 'baseline', 'baseline', 'model']);
    expect(out.rawSamples).toHaveLength(2);
    expect(out.extra['interleaved']).toMatchObject({ baseline: { version: '0.9.0', rawSamples: expect.any(Array) as unknown } });
  });
});

describe('error paths', () => {
  const cfg = (path: string, deviceDir: string) => ({ binaryPath: path, deviceDir, pollIntervalMs: 20 });

  it('no binary configured, or none at the configured path: the error names ANDROID_TFLITE_BENCHMARK_BINARY', async () => {
    const phone = shellPhone();
    const unset = await failure(runTfliteBenchmarkJob(phone.shell, job(), { deviceDir: phone.deviceDir }, new AbortController().signal));
    expect(unset.code).toBe('unsupported');
    expect(unset.message).toMatch(/^ANDROID_TFLITE_BENCHMARK_BINARY is not set/);
    const absent = await failure(runTfliteBenchmarkJob(phone.shell, job(), cfg(join(work, 'nope/benchmark_model'), phone.deviceDir), new AbortController().signal));
    expect(absent.message).toBe(`ANDROID_TFLITE_BENCHMARK_BINARY=${join(work, 'nope/benchmark_model')}: no such file on this host`);
    expect(phone.commands).toEqual([]);
  });

  it('the variable is the default binary path', async () => {
    const phone = shellPhone();
    const standin = writeStandin({ reference: gpuRecording, roundUs: gpuRoundUs });
    process.env[BINARY_ENV] = standin.path;
    const out = await runTfliteBenchmarkJob(phone.shell, job({ measureMinRuns: 1 }), { deviceDir: phone.deviceDir, pollIntervalMs: 20 }, new AbortController().signal);
    expect(out.rawSamples).toHaveLength(1);
  });

  it('the phone cannot execute the binary (it stayed 644): exit 126, not retried', async () => {
    const phone = shellPhone({ dropChmod: true });
    const standin = writeStandin({ reference: gpuRecording });
    const err = await failure(runTfliteBenchmarkJob(phone.shell, job(), cfg(standin.path, phone.deviceDir), new AbortController().signal));
    expect(err.code).toBe('unsupported');
    expect(err.retryable).toBe(false);
    expect(err.message).toMatch(/could not execute .*benchmark_model \(exit status 126\): .*Permission denied/s);
    expect(err.message).toContain('ANDROID_TFLITE_BENCHMARK_BINARY must be an Android build');
  });

  it('the binary is gone from the phone when it runs: exit 127 "not found"', async () => {
    const phone = shellPhone();
    const standin = writeStandin({ reference: gpuRecording });
    // something on the phone (another lab tool, a storage cleaner) deletes it right after the install
    const shell = {
      ...phone.shell,
      shell: async (c: string, a: string[] = []) => {
        const out = await phone.shell.shell(c, a);
        if (c === 'chmod') rmSync(`${phone.deviceDir}/benchmark_model`);
        return out;
      },
    };
    const err = await failure(runTfliteBenchmarkJob(shell, job(), cfg(standin.path, phone.deviceDir), new AbortController().signal));
    expect(err.message).toMatch(/exit status 127\): .*not found/s);
  });

  it('a delegate the build does not have: "Unconsumed cmdline flags" is refused, not measured on CPU', async () => {
    const phone = shellPhone();
    // a recorded CPU output plus the warning benchmark_model.cc prints for a flag no provider took
    const rec = `WARN: Unconsumed cmdline flags: --use_gpu=true\n${benchmarkFixture('android-recent.cpu-xnnpack.percentiles.txt').replace(/^(#.*\n)+/, '')}`;
    const standin = writeStandin({ reference: rec, roundUs: [502355] });
    const err = await failure(runTfliteBenchmarkJob(phone.shell, job({ delegate: 'gpu' }), cfg(standin.path, phone.deviceDir), new AbortController().signal));
    expect(err.code).toBe('unsupported');
    expect(err.message).toBe('this benchmark_model build has no GPU delegate: it ignored --use_gpu=true ("Unconsumed cmdline flags")');
    expect(standin.calls()).toHaveLength(1);
  });

  it('a delegate the phone cannot apply (recorded NNAPI failure, exit 1) and one that takes no node', async () => {
    const phone = shellPhone();
    const failed = writeStandin({ reference: benchmarkFixture('xiaomi-mi11-tf2.4.nnapi-qti-default.delegate-failed.txt'), referenceExit: 1 });
    const err = await failure(runTfliteBenchmarkJob(phone.shell, job({ delegate: 'nnapi' }), cfg(failed.path, phone.deviceDir), new AbortController().signal));
    expect(err.code).toBe('unsupported');
    expect(err.message).toMatch(/^the NNAPI delegate could not be applied on this phone: .*ANEURALNETWORKS_OP_FAILED.*Failed to apply NNAPI delegate\./);
    const idle = writeStandin({ reference: gpuRecording, roundUs: gpuRoundUs });
    const none = await failure(runTfliteBenchmarkJob(phone.shell, job({ delegate: 'nnapi' }), cfg(idle.path, phone.deviceDir), new AbortController().signal));
    expect(none.message).toMatch(/the NNAPI delegate was applied but takes no node of this model/);
  });

  it('a crash (SIGSEGV): "crashed" with the signal and the last output', async () => {
    const phone = shellPhone();
    const standin = writeStandin({ reference: gpuRecording, crash: 'reference' });
    const err = await failure(runTfliteBenchmarkJob(phone.shell, job({ delegate: 'gpu' }), cfg(standin.path, phone.deviceDir), new AbortController().signal));
    expect(err.code).toBe('crashed');
    expect(err.retryable).toBe(true);
    expect(err.message).toMatch(/^benchmark_model crashed: killed by signal 11 \(SIGSEGV\)\. Last output:\n.*INFO: STARTING!/s);
  });

  it('a hang: killed at the job\'s deadline, a timeout, the process gone', async () => {
    const phone = shellPhone();
    const standin = writeStandin({ reference: gpuRecording, hang: 'rounds', roundUs: gpuRoundUs });
    const started = Date.now();
    const err = await failure(runTfliteBenchmarkJob(phone.shell, job({ timeoutSeconds: 5 }), cfg(standin.path, phone.deviceDir), new AbortController().signal));
    expect(err.code).toBe('timeout');
    expect(Date.now() - started).toBeLessThan(9000);
    const pid = Number(/killed pid (\d+)/.exec(err.message)?.[1]);
    expect(pid).toBeGreaterThan(0);
    await new Promise((r) => setTimeout(r, 200));
    expect(() => process.kill(pid, 0)).toThrow();
    expect(err.message).toMatch(/Last output:\n.*STARTING!/s);
  });

  it('slow rounds near the job\'s timeout: the samples so far are kept, and the result says why there are few', async () => {
    const phone = shellPhone();
    const standin = writeStandin({ reference: gpuRecording, roundUs: gpuRoundUs, roundDelayMs: 1200 });
    const out = await runTfliteBenchmarkJob(phone.shell, job({ timeoutSeconds: 5, measureMinRuns: 50 }), cfg(standin.path, phone.deviceDir), new AbortController().signal);
    expect(out.rawSamples.length).toBeGreaterThanOrEqual(1);
    expect(out.rawSamples.length).toBeLessThan(5);
    expect(out.summary.measure.runs).toBe(out.rawSamples.length);
    expect(out.extra['benchmarkModel']).toMatchObject({ stoppedEarly: expect.stringMatching(/^the job's timeout \(5 s\) was near: \d samples$/) as unknown });
  });

  it('cancelled while running: aborted, the process killed', async () => {
    const phone = shellPhone();
    const standin = writeStandin({ reference: gpuRecording, hang: 'reference' });
    const ac = new AbortController();
    setTimeout(() => ac.abort(), 500);
    const err = await failure(runTfliteBenchmarkJob(phone.shell, job(), cfg(standin.path, phone.deviceDir), ac.signal));
    expect(err.code).toBe('aborted');
    const pid = Number(/pid (\d+) killed/.exec(err.message)?.[1]);
    await new Promise((r) => setTimeout(r, 200));
    expect(() => process.kill(pid, 0)).toThrow();
  });

  it('jobs the tool cannot run are refused before the phone is touched', async () => {
    const phone = shellPhone();
    const c = cfg('/unused', phone.deviceDir);
    expect((await failure(runTfliteBenchmarkJob(phone.shell, job({ inputSource: 'dataset' }), c, new AbortController().signal))).message).toMatch(/random inputs; inputSource "dataset"/);
    expect((await failure(runTfliteBenchmarkJob(phone.shell, { ...job(), benchmark: 'accuracy' }, c, new AbortController().signal))).code).toBe('unsupported');
    expect((await failure(runTfliteBenchmarkJob(phone.shell, job({}, dynamicPath), c, new AbortController().signal))).code).toBe('invalid_input');
    expect(phone.commands).toEqual([]);
  });
});

afterAll(() => {
  removeBenchmarkPhones();
  rmSync(work, { recursive: true, force: true });
});
