/**
 * TFLite's own `benchmark_model` on a phone: its command line, installing the binary, and one run of it in the
 * background on the device (so no shell command outlives adb's or Appium's per-command timeout), with a deadline.
 */
import { createHash } from 'node:crypto';
import { createReadStream } from 'node:fs';
import { stat } from 'node:fs/promises';
import type { TfliteDelegate } from '@edgeproof/contracts';
import { abortableSleep } from '../abortable-sleep.ts';
import { DriverError } from '../driver.ts';
import type { DeviceShell } from './device-shell.ts';
import { shQuote } from './native-harness.ts';

export const BINARY_ENV = 'ANDROID_TFLITE_BENCHMARK_BINARY';

export interface TfliteBenchmarkConfig {
  /** the Android build of benchmark_model on this host; default: the ANDROID_TFLITE_BENCHMARK_BINARY environment variable */
  binaryPath?: string;
  /** where the binary and the jobs' files go on the phone; default /data/local/tmp/edgeproof */
  deviceDir?: string;
  /** how often a running benchmark is polled; default 500 ms */
  pollIntervalMs?: number;
  /** the reference run with --enable_op_profiling (op table, peak memory); default true */
  opProfiling?: boolean;
  /** the TFLite version the binary was built from, reported as the runtime version (the tool does not print it) */
  version?: string;
}

/** One invocation's settings; every number ends up as a --flag=value. */
export interface BenchmarkModelFlags {
  graph: string;
  threads: number;
  warmupRuns: number;
  warmupMinSecs: number;
  numRuns: number;
  minSecs: number;
  maxSecs: number;
  delegate?: TfliteDelegate | undefined;
  opProfiling?: boolean;
  peakMemory?: boolean;
  /** only for models with open dimensions: every input in the interpreter's order */
  inputs?: { name: string; shape: number[] }[] | undefined;
}

/** The flag each delegate is asked with; "cpu" switches off the XNNPACK delegate recent runtimes apply by default. */
export const DELEGATE_FLAGS: Record<TfliteDelegate, string> = {
  cpu: '--use_xnnpack=false',
  xnnpack: '--use_xnnpack=true',
  gpu: '--use_gpu=true',
  nnapi: '--use_nnapi=true',
};

const finite = (name: string, v: number, min: number): string => {
  if (!Number.isFinite(v) || v < min) throw new DriverError('invalid_input', `benchmark_model --${name} must be a number ≥ ${min}, got ${v}`);
  return String(v);
};

/** The command line (without the binary), e.g. ["--graph=/data/local/tmp/edgeproof/j/model.tflite", "--num_threads=4", ...]. */
export function benchmarkModelArgs(f: BenchmarkModelFlags): string[] {
  if (!f.graph.startsWith('/')) throw new DriverError('invalid_input', `benchmark_model --graph must be an absolute path on the phone, got "${f.graph}"`);
  if (!Number.isInteger(f.threads)) throw new DriverError('invalid_input', `benchmark_model --num_threads must be an integer, got ${f.threads}`);
  const args = [
    `--graph=${f.graph}`,
    `--num_threads=${finite('num_threads', f.threads, 1)}`,
    `--warmup_runs=${finite('warmup_runs', f.warmupRuns, 0)}`,
    `--warmup_min_secs=${finite('warmup_min_secs', f.warmupMinSecs, 0)}`,
    `--num_runs=${finite('num_runs', f.numRuns, 1)}`,
    `--min_secs=${finite('min_secs', f.minSecs, 0)}`,
    `--max_secs=${finite('max_secs', f.maxSecs, 0)}`,
  ];
  if (f.delegate) {
    const flag = DELEGATE_FLAGS[f.delegate];
    if (!flag) throw new DriverError('unsupported', `benchmark_model has no delegate "${String(f.delegate)}" (supported: ${Object.keys(DELEGATE_FLAGS).join(', ')})`);
    args.push(flag);
  }
  if (f.opProfiling) args.push('--enable_op_profiling=true');
  if (f.peakMemory) args.push('--report_peak_memory_footprint=true');
  if (f.inputs?.length) {
    for (const i of f.inputs) {
      // the tool splits --input_layer on "," and --input_layer_shape on ":" and ","
      if (/[,:\s]/.test(i.name) || !i.name) throw new DriverError('invalid_input', `input "${i.name}" cannot be named on benchmark_model's --input_layer (no commas, colons or spaces)`);
      if (i.shape.some((d) => !Number.isInteger(d) || d < 0)) throw new DriverError('invalid_input', `input "${i.name}" has shape [${i.shape.join(', ')}]: benchmark_model needs every dimension`);
    }
    args.push(`--input_layer=${f.inputs.map((i) => i.name).join(',')}`, `--input_layer_shape=${f.inputs.map((i) => i.shape.join(',')).join(':')}`);
  }
  return args;
}

const hashes = new Map<string, { mtimeMs: number; size: number; sha256: string }>();

/** The local binary's sha256 (cached by path, size and mtime); a missing path is a clear error naming the variable. */
export async function localBinary(path: string | undefined): Promise<{ path: string; sha256: string; size: number }> {
  if (!path) throw new DriverError('unsupported', `${BINARY_ENV} is not set: point it at an Android build of TFLite's benchmark_model (the team's build or TFLite's published android_aarch64_benchmark_model)`);
  const st = await stat(path).catch(() => null);
  if (!st?.isFile()) throw new DriverError('unsupported', `${BINARY_ENV}=${path}: no such file on this host`);
  const known = hashes.get(path);
  if (known && known.mtimeMs === st.mtimeMs && known.size === st.size) return { path, sha256: known.sha256, size: st.size };
  const hash = createHash('sha256');
  for await (const chunk of createReadStream(path)) hash.update(chunk as Buffer);
  const sha256 = hash.digest('hex');
  hashes.set(path, { mtimeMs: st.mtimeMs, size: st.size, sha256 });
  return { path, sha256, size: st.size };
}

/** Pushes the binary (chmod 755) unless the phone already has the same bytes there; returns whether it pushed. */
export async function installBinary(device: DeviceShell, local: { path: string; sha256: string }, remote: string): Promise<boolean> {
  const dir = remote.slice(0, remote.lastIndexOf('/')) || '/';
  // toybox's sha256sum prints "<hash>  <path>"; a phone without it (or without the file) answers something else
  const present = await device.shell('sh', ['-c', shQuote(`sha256sum ${shQuote(remote)} 2>/dev/null`)]).catch(() => '');
  if (present.trim().split(/\s+/)[0] === local.sha256) return false;
  await device.shell('mkdir', ['-p', shQuote(dir)]);
  await device.push(local.path, remote).catch((err: unknown) => {
    throw new DriverError('failed', `could not push ${BINARY_ENV}=${local.path} to ${remote}: ${err instanceof Error ? err.message.split('\n')[0] : String(err)}`);
  });
  await device.shell('chmod', ['755', shQuote(remote)]).catch((err: unknown) => {
    throw new DriverError('failed', `chmod 755 ${remote} failed on the phone: ${err instanceof Error ? err.message.split('\n')[0] : String(err)}`);
  });
  return true;
}

export interface InvocationResult {
  output: string;
  exitCode: number;
  wallMs: number;
}

export interface InvocationOptions {
  binary: string;
  /** the job's directory on the phone: run.log, run.pid and run.exit go there */
  dir: string;
  args: string[];
  /** epoch ms; the process is killed (kill -9) when it is still running then */
  deadline: number;
  signal: AbortSignal;
  pollIntervalMs: number;
}

/**
 * Starts benchmark_model in the background on the phone (HUP ignored, output to run.log, exit status to run.exit)
 * and polls until it exits; past the deadline or on abort the process is killed and the run fails.
 */
export async function invokeBenchmarkModel(device: DeviceShell, o: InvocationOptions): Promise<InvocationResult> {
  const [log, pid, exit] = ['run.log', 'run.pid', 'run.exit'].map((f) => `${o.dir}/${f}`) as [string, string, string];
  const command = [o.binary, ...o.args].map(shQuote).join(' ');
  const inner = `trap '' HUP; ${command} > ${shQuote(log)} 2>&1 & echo $! > ${shQuote(pid)}; wait $!; echo $? > ${shQuote(exit)}`;
  const outer = `rm -f ${shQuote(log)} ${shQuote(pid)} ${shQuote(exit)}; sh -c ${shQuote(inner)} > /dev/null 2>&1 &`;
  const started = Date.now();
  await device.shell('sh', ['-c', shQuote(outer)]);
  const read = (p: string) => device.shell('sh', ['-c', shQuote(`cat ${shQuote(p)} 2>/dev/null`)]).catch(() => '');
  const output = async () => (await device.pull(log).catch(() => Buffer.alloc(0))).toString('utf8');

  while (!o.signal.aborted && Date.now() < o.deadline) {
    const status = (await read(exit)).trim();
    if (/^\d+$/.test(status)) return { output: await output(), exitCode: Number(status), wallMs: Date.now() - started };
    await abortableSleep(Math.min(o.pollIntervalMs, Math.max(0, o.deadline - Date.now())), o.signal);
  }
  const killed = (await read(pid)).trim();
  if (/^\d+$/.test(killed)) await device.shell('kill', ['-9', killed]).catch(() => undefined);
  const tail = tailOf(await output());
  if (o.signal.aborted) throw new DriverError('aborted', `benchmark_model was cancelled (pid ${killed || 'unknown'} killed)`);
  throw new DriverError('timeout', `benchmark_model did not finish before the job's deadline; killed pid ${killed || 'unknown'}. Last output:\n${tail}`);
}

/** The last lines of an output, for error messages. */
export function tailOf(output: string, lines = 15): string {
  const all = output.replace(/\s+$/, '').split(/\r?\n/);
  return all.slice(-lines).join('\n').slice(-2000) || '(no output)';
}

const SIGNALS: Record<number, string> = { 4: 'SIGILL', 6: 'SIGABRT', 7: 'SIGBUS', 8: 'SIGFPE', 9: 'SIGKILL', 11: 'SIGSEGV' };

/** Why an invocation that exited non-zero failed, as a DriverError (null for exit status 0). */
export function exitFailure(r: InvocationResult, binary: string): DriverError | null {
  if (r.exitCode === 0) return null;
  const tail = tailOf(r.output);
  if (r.exitCode === 126 || r.exitCode === 127) {
    return new DriverError(
      'unsupported',
      `the phone could not execute ${binary} (exit status ${r.exitCode}): ${tail}\n` +
        `${BINARY_ENV} must be an Android build of benchmark_model for this phone's ABI, on a file system that allows exec (/data/local/tmp does)`,
    );
  }
  if (r.exitCode > 128) {
    const n = r.exitCode - 128;
    return new DriverError('crashed', `benchmark_model crashed: killed by signal ${n}${SIGNALS[n] ? ` (${SIGNALS[n]})` : ''}. Last output:\n${tail}`);
  }
  return new DriverError('failed', `benchmark_model failed (exit status ${r.exitCode}). Last output:\n${tail}`);
}
