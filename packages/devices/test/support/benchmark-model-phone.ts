/**
 * A phone at the DeviceShell boundary for the benchmark_model tests: its shell is the host's POSIX sh (adb shell hands
 * the joined command line to the phone's sh, and fails when the command's exit status is not 0, as here), its file
 * system a temporary folder, and the "benchmark_model" pushed to it a stand-in that replays recorded outputs.
 */
import { execFile } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { copyFile, mkdir, readFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { promisify } from 'node:util';
import type { DeviceShell } from '../../src/android/device-shell.ts';
import { parseBenchmarkModel } from '../../src/android/parse-benchmark-model.ts';

const run = promisify(execFile);
const made: string[] = [];
const tempDir = (prefix: string) => {
  const dir = mkdtempSync(join(tmpdir(), prefix));
  made.push(dir);
  return dir;
};
/** Removes every phone folder and stand-in this module made (call it from afterAll). */
export function removeBenchmarkPhones(): void {
  for (const d of made.splice(0)) rmSync(d, { recursive: true, force: true });
}
export const benchmarkFixtures = join(import.meta.dirname, '../fixtures/benchmark-model');
export const benchmarkFixture = (name: string) => readFileSync(join(benchmarkFixtures, name), 'utf8');

export interface PhoneOptions {
  /** the phone ignores chmod (a noexec mount, a failed chmod): the binary stays 644 */
  dropChmod?: boolean;
}

export function shellPhone(opts: PhoneOptions = {}) {
  const root = tempDir('bm-phone-');
  const deviceDir = join(root, 'data/local/tmp/edgeproof');
  const commands: string[] = [];
  const pushes: { local: string; remote: string }[] = [];
  const inside = (p: string) => {
    if (!p.startsWith(`${root}/`)) throw new Error(`the test phone has no ${p}`);
  };
  const shell: DeviceShell = {
    shell: async (command, args = []) => {
      const line = [command, ...args].join(' ');
      commands.push(line);
      if (opts.dropChmod && command === 'chmod') return '';
      const { stdout } = await run('sh', ['-c', line], { cwd: root, encoding: 'utf8', timeout: 30_000 });
      return stdout;
    },
    push: async (local, remote) => {
      inside(remote);
      pushes.push({ local, remote });
      await mkdir(dirname(remote), { recursive: true });
      await copyFile(local, remote);
    },
    pull: async (remote) => {
      inside(remote);
      return readFile(remote);
    },
    install: async () => {
      throw new Error('no app is installed on the benchmark_model path');
    },
  };
  return { root, deviceDir, shell, commands, pushes };
}

/**
 * What the stand-in prints. The reference run (the one with --report_peak_memory_footprint=true) replays a recorded
 * output verbatim. A sample round (--num_runs=1) prints that recording's lines up to its runs, its warmup lines, then
 * the tool's single-run form "count=1 curr=T" and a summary line, T cycling through `roundUs`: these round outputs are
 * constructed, in the formats of benchmark_model.cc and stats_calculator.h, and the tests take T from the recording's
 * own single-run values (its first=, curr=, min=, max=).
 */
export interface StandinPlan {
  reference: string;
  referenceExit?: number;
  roundUs?: number[];
  /** the process stops answering (a hang) in the reference run or in the rounds */
  hang?: 'reference' | 'rounds';
  /** the process kills itself with SIGSEGV after printing its first lines */
  crash?: 'reference' | 'rounds';
  /** a sample round takes this long (a slow model) */
  roundDelayMs?: number;
}

export function roundOutput(recording: string, us: number): string {
  const lines = recording.split('\n').filter((l) => !l.startsWith('#'));
  const firstRun = lines.findIndex((l) => /Running benchmark for at least/.test(l));
  const head = lines.slice(0, firstRun === -1 ? 0 : firstRun);
  const p = parseBenchmarkModel(recording);
  const prefix = /^INFO: /.test(lines[firstRun] ?? '') ? 'INFO: ' : '';
  const w = p.warmup;
  return [
    ...head,
    lines[firstRun] ?? '',
    w ? `${prefix}count=${w.count} first=${w.firstUs} curr=${w.currUs} min=${w.minUs} max=${w.maxUs} avg=${w.avgUs} std=${w.stdUs}` : '',
    '',
    `${prefix}Running benchmark for at least 1 iterations and at least 0 seconds but terminate if exceeding 150 seconds.`,
    `${prefix}count=1 curr=${us}`,
    '',
    `${prefix}Inference timings in us: Init: ${p.initUs}, First inference: ${p.firstInferenceUs}, Warmup (avg): ${p.warmupAvgUs}, Inference (avg): ${us}`,
    '',
  ].join('\n');
}

/** Writes the stand-in (a Node script, as the "phone" is this host) and returns its path and its call log. */
export function writeStandin(plan: StandinPlan): { path: string; calls: () => string[] } {
  const dir = tempDir('bm-standin-');
  const path = join(dir, 'benchmark_model');
  const callLog = join(dir, 'calls.log');
  // the fixtures' "# Source" header is ours, not the tool's
  const reference = plan.reference.replace(/^(#.*\n)+/, '');
  const rounds = (plan.roundUs ?? []).map((us) => roundOutput(reference, us));
  const script = `#!${process.execPath}
// stand-in for TFLite's benchmark_model in the edgeproof tests (see test/support/benchmark-model-phone.ts)
const fs = require('node:fs');
const args = process.argv.slice(2);
const calls = fs.existsSync(${JSON.stringify(callLog)}) ? fs.readFileSync(${JSON.stringify(callLog)}, 'utf8').split('\\n').filter(Boolean) : [];
fs.appendFileSync(${JSON.stringify(callLog)}, args.join(' ') + '\\n');
const plan = ${JSON.stringify({ ...plan, reference, rounds })};
const reference = args.includes('--report_peak_memory_footprint=true');
const phase = reference ? 'reference' : 'rounds';
const text = reference ? plan.reference : plan.rounds[calls.filter((c) => !c.includes('--report_peak_memory_footprint=true')).length % plan.rounds.length];
if (plan.hang === phase) { process.stdout.write(text.split('\\n').slice(0, 3).join('\\n') + '\\n'); setInterval(() => {}, 1000); }
else if (plan.crash === phase) { process.stdout.write(text.split('\\n').slice(0, 4).join('\\n') + '\\n', () => process.kill(process.pid, 'SIGSEGV')); }
else setTimeout(() => process.stdout.write(text, () => process.exit(reference ? (plan.referenceExit ?? 0) : 0)), reference ? 0 : (plan.roundDelayMs ?? 0));
`;
  writeFileSync(path, script, { mode: 0o644 });
  return { path, calls: () => (readFileSync(callLog, 'utf8').split('\n').filter(Boolean)) };
}
