/**
 * A TFLite latency job on a phone through TFLite's benchmark_model, without an app.
 *
 * benchmark_model prints only aggregates of its timed runs (count, avg, std, min, max; p5/median/p95 in recent
 * builds; its --result_file_path proto holds the same aggregates), never the runs themselves. A result here needs
 * every measured run (gates compare distributions), so the job is measured in two parts:
 * - one reference run with the job's settings (threads, warmup, runs, seconds, delegate) plus op profiling and peak
 *   memory monitoring: session creation, first inference, the op profile, peak memory and the tool's own aggregate;
 * - sample rounds: each round is its own benchmark_model process doing the job's warmup and then exactly one timed
 *   run (--num_runs=1 --min_secs=0), whose time the tool prints as "count=1 curr=T". Rounds go on until the job's
 *   run and time minimums are met, or its maximum runs or seconds (wall time of the rounds) are reached.
 * With a baseline the rounds alternate A B B A, both models on the same phone in the same minutes.
 */
import type { LatencySummary, TfliteDelegate } from '@edgeproof/contracts';
import { INTERLEAVE_SEQUENCE, measureDone } from '@edgeproof/harness-web/measure-rule';
import { summarize } from '@edgeproof/metrics';
import { resolveInputShapes } from '@edgeproof/models';
import { DriverError, type DriverJob } from '../driver.ts';
import { asInputError } from '../inputs/input-sets.ts';
import type { DeviceShell } from './device-shell.ts';
import { shQuote } from './native-harness.ts';
import { parseBenchmarkModel, type BenchmarkModelOutput } from './parse-benchmark-model.ts';
import {
  BINARY_ENV,
  benchmarkModelArgs,
  DELEGATE_FLAGS,
  exitFailure,
  installBinary,
  invokeBenchmarkModel,
  localBinary,
  tailOf,
  type BenchmarkModelFlags,
  type InvocationResult,
  type TfliteBenchmarkConfig,
} from './tflite-benchmark.ts';

export interface AppliedDelegateFacts {
  requested: TfliteDelegate | 'default';
  /** what ran the graph: "cpu" (TFLite's kernels), "xnnpack", "gpu", "nnapi" */
  applied: string;
  coverage: 'full' | 'partial' | 'unknown';
  delegateKernels: number | null;
  replacedNodes: BenchmarkModelOutput['replacedNodes'];
}

const NAMES: Record<Exclude<TfliteDelegate, 'cpu'>, { tool: string; kernel: RegExp }> = {
  xnnpack: { tool: 'XNNPACK', kernel: /xnnpack/i },
  gpu: { tool: 'GPU', kernel: /gpu/i },
  nnapi: { tool: 'NNAPI', kernel: /nnapi/i },
};

/** Which delegate actually ran the model, from the tool's own lines; a requested delegate that did not run is an error. */
export function appliedDelegate(p: BenchmarkModelOutput, requested: TfliteDelegate | undefined): AppliedDelegateFacts {
  const base = { requested: requested ?? ('default' as const), replacedNodes: p.replacedNodes };
  const coverageOf = (kernel: RegExp) => {
    const r = p.replacedNodes.find((x) => kernel.test(x.kernel));
    return r ? (r.total === null ? 'unknown' : r.replaced >= r.total ? 'full' : 'partial') : null;
  };
  if (requested === 'cpu') {
    if (p.createdDelegates.includes('XNNPACK')) throw new DriverError('unsupported', `delegate "cpu" asked for TFLite's own kernels (${DELEGATE_FLAGS.cpu}), but this benchmark_model build still created the XNNPACK delegate`);
    return { ...base, applied: 'cpu', coverage: 'full', delegateKernels: null };
  }
  if (requested) {
    const { tool, kernel } = NAMES[requested];
    const flag = DELEGATE_FLAGS[requested];
    if (p.unconsumedFlags.includes(flag)) throw new DriverError('unsupported', `this benchmark_model build has no ${tool} delegate: it ignored ${flag} ("Unconsumed cmdline flags")`);
    if (p.failedDelegates.includes(tool)) throw new DriverError('unsupported', `the ${tool} delegate could not be applied on this phone: ${p.errors.join(' | ').slice(0, 1500)}`);
    const a = p.appliedDelegates.find((d) => d.name.toUpperCase() === tool);
    if (a?.coverage === 'none') throw new DriverError('unsupported', `the ${tool} delegate was applied but takes no node of this model (benchmark_model: "the model graph will not be executed by the delegate"); the run would be CPU only`);
    if (a) return { ...base, applied: requested, coverage: a.coverage === 'full' ? 'full' : 'partial', delegateKernels: a.delegateKernels };
    // tools that do not print "Explicitly applied ..." still print the delegate's node replacement
    const c = coverageOf(kernel) ?? (p.createdDelegates.includes(tool) && requested === 'xnnpack' ? 'unknown' : null);
    if (c) return { ...base, applied: requested, coverage: c, delegateKernels: null };
    throw new DriverError('unsupported', `benchmark_model did not report applying the ${tool} delegate (${flag}); last output:\n${tailOf(p.errors.join('\n'))}`);
  }
  const explicit = p.appliedDelegates.find((d) => d.coverage !== 'none');
  if (explicit) return { ...base, applied: explicit.name.toLowerCase(), coverage: explicit.coverage === 'full' ? 'full' : 'partial', delegateKernels: explicit.delegateKernels };
  // recent runtimes apply XNNPACK by default ("Created TensorFlow Lite XNNPACK delegate for CPU.")
  if (p.createdDelegates.includes('XNNPACK')) return { ...base, applied: 'xnnpack', coverage: coverageOf(NAMES.xnnpack.kernel) ?? 'unknown', delegateKernels: null };
  return { ...base, applied: 'cpu', coverage: 'full', delegateKernels: null };
}

const MODEL_PROBLEM = /Failed to (?:mmap|load|read) model|Failed to initialize the interpreter|Didn't find op for builtin opcode|Encountered unresolved custom op|Failed to allocate tensors|model identifier/i;
const INPUT_PROBLEM = /Input tensor #\d+ should have|Any unknown sizes in the shapes|input_layer|Inputs mismatch/i;

/** A finished invocation's outcome: its parsed output, or the DriverError that says why it gave none. */
export function checkInvocation(r: InvocationResult, binary: string, requested: TfliteDelegate | undefined): BenchmarkModelOutput {
  const p = parseBenchmarkModel(r.output);
  if (r.exitCode !== 0 && (r.exitCode > 128 || r.exitCode === 126 || r.exitCode === 127)) throw exitFailure(r, binary) as DriverError;
  if (r.exitCode !== 0 || p.benchmarkingFailed || p.inferenceAvgUs === null) {
    // a delegate that failed is the phone's (or the build's) limit, not a fault to retry
    if (p.failedDelegates.length || p.unconsumedFlags.some((f) => Object.values(DELEGATE_FLAGS).includes(f)) || p.errors.some((e) => /Disallowed CPU fallback/.test(e))) {
      appliedDelegate(p, requested);
      throw new DriverError('unsupported', `the requested delegate could not run this model: ${p.errors.join(' | ').slice(0, 1500)}`);
    }
    const why = p.errors.join('\n') || tailOf(r.output);
    if (MODEL_PROBLEM.test(why)) throw new DriverError('invalid_model', `benchmark_model rejected the model: ${why.slice(0, 1500)}`);
    if (INPUT_PROBLEM.test(why)) throw new DriverError('invalid_input', `benchmark_model rejected the input shapes: ${why.slice(0, 1500)}`);
    if (r.exitCode !== 0) throw exitFailure(r, binary) as DriverError;
    throw new DriverError('failed', `benchmark_model exited 0 but printed no "Inference timings" summary. Last output:\n${tailOf(r.output)}`);
  }
  return p;
}

interface Side {
  label: 'model' | 'baseline';
  graph: string;
  local: string;
  inputs: BenchmarkModelFlags['inputs'];
  shapes: Record<string, number[]>;
  reference?: BenchmarkModelOutput & { wallMs: number };
  delegate?: AppliedDelegateFacts;
  samples: number[];
  roundsWallMs: number;
  roundInitsMs: number[];
}

function sideFor(label: Side['label'], m: { path: string; signature: DriverJob['model']['signature'] }, dir: string, job: DriverJob): Side {
  let shapes: Record<string, number[]>;
  try {
    shapes = resolveInputShapes(m.signature.inputs, { dims: job.settings.dims, inputShapes: job.settings.inputShapes });
  } catch (err) {
    throw asInputError(err);
  }
  // the tool sizes inputs itself from the model; it is told shapes only when the model leaves some open
  const open = Object.keys(job.settings.inputShapes).length > 0 || m.signature.inputs.some((i) => i.shape === null || i.shape.some((d) => typeof d !== 'number'));
  const inputs = open ? m.signature.inputs.map((i) => ({ name: i.name, shape: shapes[i.name] ?? [] })) : undefined;
  return { label, graph: `${dir}/${label}.tflite`, local: m.path, inputs, shapes, samples: [], roundsWallMs: 0, roundInitsMs: [] };
}

export interface TfliteBenchmarkOutcome {
  summary: LatencySummary;
  rawSamples: number[];
  shapes: Record<string, number[]>;
  delegate: AppliedDelegateFacts;
  /** what goes into environment.extra */
  extra: Record<string, unknown>;
}

/** beforeMeasure: called (and awaited) once the binary and models are on the phone, right before the first benchmark_model run. */
export async function runTfliteBenchmarkJob(
  device: DeviceShell,
  job: DriverJob,
  cfg: TfliteBenchmarkConfig,
  signal: AbortSignal,
  hooks: { beforeMeasure?: () => Promise<unknown> } = {},
): Promise<TfliteBenchmarkOutcome> {
  if (job.benchmark !== 'latency') throw new DriverError('unsupported', `benchmark_model measures latency (and memory); a ${job.benchmark} job needs the native harness`);
  if (job.model.format !== 'tflite' || (job.baseline && job.baseline.format !== 'tflite')) throw new DriverError('unsupported', 'benchmark_model runs TFLite models only');
  const s = job.settings;
  if (s.inputSource === 'dataset') throw new DriverError('unsupported', 'benchmark_model feeds its own random inputs; inputSource "dataset" needs the native harness');
  const root = cfg.deviceDir ?? '/data/local/tmp/edgeproof';
  const binary = `${root}/benchmark_model`;
  const dir = `${root}/${job.jobId}`;
  const sides = [sideFor('model', job.model, dir, job), ...(job.baseline ? [sideFor('baseline', job.baseline, dir, job)] : [])];
  const local = await localBinary(cfg.binaryPath ?? process.env[BINARY_ENV]);
  const deadline = Date.now() + s.timeoutSeconds * 1000;
  const poll = cfg.pollIntervalMs ?? 500;
  const run = async (flags: BenchmarkModelFlags) =>
    checkInvocation(await invokeBenchmarkModel(device, { binary, dir, args: benchmarkModelArgs(flags), deadline, signal, pollIntervalMs: poll }), binary, s.delegate);
  const common = (side: Side) => ({ graph: side.graph, threads: s.threads, delegate: s.delegate, inputs: side.inputs, warmupRuns: s.warmupMinRuns, warmupMinSecs: s.warmupMinSeconds, maxSecs: s.measureMaxSeconds });

  try {
    const pushed = await installBinary(device, local, binary);
    await device.shell('mkdir', ['-p', shQuote(dir)]);
    for (const side of sides) await device.push(side.local, side.graph);
    await hooks.beforeMeasure?.();

    for (const side of sides) {
      const started = Date.now();
      const ref = await run({ ...common(side), numRuns: s.measureMinRuns, minSecs: s.measureMinSeconds, opProfiling: cfg.opProfiling !== false, peakMemory: true });
      side.reference = { ...ref, wallMs: Date.now() - started };
      side.delegate = appliedDelegate(ref, s.delegate);
    }

    // the maximum on the rounds' wall time, the minimum on the measured runs
    const done = (x: Side) => measureDone(s, x.samples.length, sum(x.samples), x.roundsWallMs);
    let lastRoundMs = 0;
    let stoppedEarly: string | null = null;
    for (let round = 0; !sides.every(done); round++) {
      const side = sides[sides.length === 1 ? 0 : INTERLEAVE_SEQUENCE[round % INTERLEAVE_SEQUENCE.length] as 0 | 1] as Side;
      if (done(side)) continue;
      // keep what was measured rather than lose it all to the job's timeout in the middle of a round
      if (sides.every((x) => x.samples.length > 0) && Date.now() + 2 * lastRoundMs > deadline) {
        stoppedEarly = `the job's timeout (${s.timeoutSeconds} s) was near: ${sides.map((x) => x.samples.length).join(' / ')} samples`;
        break;
      }
      const started = Date.now();
      const out = await run({ ...common(side), numRuns: 1, minSecs: 0 });
      lastRoundMs = Date.now() - started;
      side.roundsWallMs += lastRoundMs;
      const applied = appliedDelegate(out, s.delegate).applied;
      if (applied !== side.delegate?.applied) throw new DriverError('failed', `round ${round + 1} ran on ${applied}, the reference run on ${side.delegate?.applied}`);
      if (out.inference?.count !== 1 || out.inference.avgUs === null) {
        throw new DriverError('failed', `a sample round asked benchmark_model for one timed run and got ${out.inference ? `count=${out.inference.count}` : 'no runs line'}`);
      }
      side.samples.push(out.inference.avgUs / 1000);
      if (out.initUs !== null) side.roundInitsMs.push(out.initUs / 1000);
    }

    const [a, b] = sides as [Side, Side | undefined];
    const extra: Record<string, unknown> = { benchmarkModel: { ...benchmarkFacts(a, local.sha256, pushed, cfg), ...(stoppedEarly ? { stoppedEarly } : {}) } };
    if (b) {
      extra['interleaved'] = {
        order: 'sample rounds A B B A, one benchmark_model process per sample',
        baseline: { version: job.baseline?.version, sha256: job.baseline?.sha256, summary: summaryOf(b), rawSamples: b.samples, benchmarkModel: benchmarkFacts(b, local.sha256, pushed, cfg) },
      };
    }
    return { summary: summaryOf(a), rawSamples: a.samples, shapes: a.shapes, delegate: a.delegate as AppliedDelegateFacts, extra };
  } finally {
    await device.shell('rm', ['-rf', shQuote(dir)]).catch(() => undefined);
  }
}

const sum = (xs: number[]) => xs.reduce((x, y) => x + y, 0);

function summaryOf(side: Side): LatencySummary {
  const ref = side.reference as BenchmarkModelOutput;
  const init = ref.initUs ?? null;
  const first = ref.firstInferenceUs ?? null;
  if (init === null || first === null) throw new DriverError('failed', 'the reference run printed no Init / First inference timings');
  const peak = ref.memory.peakMb;
  return {
    kind: 'latency',
    unit: 'ms',
    sessionCreateMs: init / 1000,
    firstInferenceMs: first / 1000,
    warmup: { runs: ref.warmup?.count ?? 0, seconds: ((ref.warmup?.count ?? 0) * (ref.warmup?.avgUs ?? 0)) / 1e6 },
    measure: { runs: side.samples.length, seconds: sum(side.samples) / 1000 },
    stats: summarize(side.samples),
    // "Overall peak memory footprint (MB) via periodic monitoring" is in MiB (the tool divides KiB by 1024)
    peakMemoryBytes: peak !== null && peak > 0 ? Math.round(peak * 1024 * 1024) : null,
    ...(ref.opProfile ? { opProfile: ref.opProfile } : {}),
  };
}

function benchmarkFacts(side: Side, sha256: string, pushed: boolean, cfg: TfliteBenchmarkConfig) {
  const ref = side.reference as BenchmarkModelOutput & { wallMs: number };
  return {
    protocol:
      'each sample is the one timed run (--num_runs=1) of its own benchmark_model process after that process\'s warmup; ' +
      'session creation, first inference, warmup, peak memory and the op profile come from one reference run with the job\'s settings' +
      (cfg.opProfiling === false ? ' (op profiling off)' : ' and --enable_op_profiling'),
    binarySha256: sha256,
    binaryPushed: pushed,
    inputs: 'benchmark_model random inputs',
    delegate: side.delegate,
    reference: { warmup: ref.warmup, inference: ref.inference, memory: ref.memory, modelSizeMb: ref.modelSizeMb, wallMs: ref.wallMs, unconsumedFlags: ref.unconsumedFlags },
    rounds: { count: side.samples.length, wallSeconds: side.roundsWallMs / 1000, initMs: side.roundInitsMs.length ? summarize(side.roundInitsMs) : null },
  };
}

