import type { RunOut } from '@edgeproof/contracts';
import cliProgress from 'cli-progress';
import type { Io } from './context.ts';

export interface Progress {
  /** `phase`: what is measuring, e.g. "run" or "confirmation run" */
  update(run: RunOut, phase?: string): void;
  stop(): void;
}

/** Progress while a run or gate measures: a bar on a terminal, a plain line per change otherwise (CI logs). */
export function createProgress(io: Io): Progress {
  const started = Date.now();
  let last = '';
  if (io.isTTY) {
    const bar = new cliProgress.SingleBar(
      { format: ' {phase} [{bar}] {value}/{total} jobs | {running} running | {duration_formatted}', hideCursor: true, clearOnComplete: false, stream: process.stderr },
      cliProgress.Presets.shades_classic,
    );
    let active = false;
    return {
      update(run, phase = 'run') {
        const done = run.progress.succeeded + run.progress.failed + run.progress.cancelled;
        const payload = { phase: phase === 'run' ? 'measuring' : phase, running: run.progress.running };
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
    update(run, phase = 'run') {
      const p = run.progress;
      const line = `${phase} ${run.id}: ${p.succeeded + p.failed + p.cancelled}/${p.total} jobs done (${p.running} running, ${p.failed} failed${p.cancelled ? `, ${p.cancelled} cancelled` : ''})`;
      if (line !== last) {
        last = line;
        io.err(`[${Math.round((Date.now() - started) / 1000)}s] ${line}`);
      }
    },
    stop() {},
  };
}
