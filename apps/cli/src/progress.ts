import type { GateOut, RunOut } from '@edgeproof/contracts';
import cliProgress from 'cli-progress';
import type { Io } from './context.ts';

/** Progress while a gate runs: a bar on a terminal, a plain line per change otherwise (CI logs). */
export function createProgress(io: Io): { update(gate: GateOut, run: RunOut): void; stop(): void } {
  const started = Date.now();
  let last = '';
  if (io.isTTY) {
    const bar = new cliProgress.SingleBar(
      { format: ' {phase} [{bar}] {value}/{total} jobs | {running} running | {duration_formatted}', hideCursor: true, clearOnComplete: false },
      cliProgress.Presets.shades_classic,
    );
    let active = false;
    return {
      update(gate, run) {
        const done = run.progress.succeeded + run.progress.failed;
        const payload = { phase: gate.status === 'confirming' ? 'confirming' : 'measuring', running: run.progress.running };
        if (!active) {
          bar.start(run.progress.total, done, payload);
          active = true;
        } else {
          bar.setTotal(run.progress.total);
          bar.update(done, payload);
        }
      },
      stop() {
        if (active) bar.stop();
      },
    };
  }
  return {
    update(gate, run) {
      const p = run.progress;
      const line = `${gate.status === 'confirming' ? 'confirmation run' : 'run'} ${run.id}: ${p.succeeded + p.failed}/${p.total} jobs done (${p.running} running, ${p.failed} failed)`;
      if (line !== last) {
        last = line;
        io.err(`[${Math.round((Date.now() - started) / 1000)}s] ${line}`);
      }
    },
    stop() {},
  };
}
