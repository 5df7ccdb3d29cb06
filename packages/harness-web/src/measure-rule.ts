/**
 * When warmup ends and when measuring stops, and how interleaved A/B runs are ordered: written once
 * for every latency loop (the host device's onnxruntime-node loops in packages/devices/src/host/, the
 * harness page's in page/benchmarks.ts and page/interleaved.ts, the Android driver's benchmark_model
 * rounds). Plain functions with no imports but types: the page bundle (esbuild, platform browser)
 * includes this file, and packages/devices imports it as `@edgeproof/harness-web/measure-rule`
 * (without the server and esbuild behind the package's main entry).
 *
 * The settings have the meaning of BenchmarkSettings' fields of the same names: warmup lasts until
 * both warmup minimums are met; measurement until both measure minimums are met, stopped by
 * whichever maximum comes first (the maximums win over the minimums).
 */
import type { HarnessLoopSettings } from './protocol.ts';

/** Runs per block; blocks go A B B A, so a linear drift in speed hits both versions alike. */
export const INTERLEAVE_BLOCK = 5;

/** Which side (0 = A, the job's model; 1 = B, the baseline) runs each block, repeated. */
export const INTERLEAVE_SEQUENCE = [0, 1, 1, 0] as const;

/** How results name the order (environment.extra.interleaved.order). */
export const INTERLEAVE_ORDER = `blocks of ${INTERLEAVE_BLOCK} runs, A B B A`;

/** Warmup goes on while fewer than warmupMinRuns runs or warmupMinSeconds have passed. */
export function warmingUp(s: HarnessLoopSettings, runs: number, elapsedMs: number): boolean {
  return runs < s.warmupMinRuns || elapsedMs < s.warmupMinSeconds * 1000;
}

/**
 * Interleaved warmup (single runs alternating A B): goes on while a side has fewer than
 * warmupMinRuns runs or the pair has run for less than twice warmupMinSeconds (each side's share).
 */
export function interleavedWarmingUp(s: HarnessLoopSettings, fewestRuns: number, elapsedMs: number): boolean {
  return fewestRuns < s.warmupMinRuns || elapsedMs < s.warmupMinSeconds * 1000 * 2;
}

/** A measurement at either maximum (measureMaxRuns, measureMaxSeconds) stops, minimums met or not. */
export function atMeasureMax(s: HarnessLoopSettings, runs: number, elapsedMs: number): boolean {
  return runs >= s.measureMaxRuns || elapsedMs >= s.measureMaxSeconds * 1000;
}

/**
 * Measuring stops at either maximum, or once both minimums are met. `elapsedMs` is the clock the
 * minimum is judged on, `maxElapsedMs` the one the maximum is (the same unless a loop says otherwise:
 * benchmark_model rounds judge the maximum on their wall time, the minimum on the measured runs).
 */
export function measureDone(s: HarnessLoopSettings, runs: number, elapsedMs: number, maxElapsedMs = elapsedMs): boolean {
  return atMeasureMax(s, runs, maxElapsedMs) || (runs >= s.measureMinRuns && elapsedMs >= s.measureMinSeconds * 1000);
}
