import { execFile, spawn, type ChildProcess } from 'node:child_process';
import { createServer } from 'node:net';
import { join } from 'node:path';
import { promisify } from 'node:util';

const run = promisify(execFile);

export interface TestAppium {
  /** e.g. http://127.0.0.1:41233 */
  url: string;
  port: number;
  process: ChildProcess;
  /** the last lines Appium printed (for failure messages) */
  logTail(): string;
  /** how many log lines so far contain `text` (e.g. "--> POST /session/" requests) */
  countLogLines(text: string): number;
  stop(): Promise<void>;
}

/** A TCP port nobody listens on right now, on 127.0.0.1. */
export async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const srv = createServer();
    srv.once('error', reject);
    srv.listen(0, '127.0.0.1', () => {
      const address = srv.address();
      const port = typeof address === 'object' && address ? address.port : 0;
      srv.close(() => resolve(port));
    });
  });
}

/**
 * A real Appium 3 server from the project's node_modules on 127.0.0.1 and a free port, with the
 * project's APPIUM_HOME (.appium) and device-farm/appium.config.yaml. Drivers missing from
 * APPIUM_HOME are installed first by device-farm/install-drivers.sh (idempotent).
 */
export async function startAppium(opts: { repoRoot: string; drivers: string[]; startTimeoutMs?: number }): Promise<TestAppium> {
  const env = { ...process.env, APPIUM_HOME: join(opts.repoRoot, '.appium') };
  await run(join(opts.repoRoot, 'device-farm/install-drivers.sh'), [], { env: { ...env, APPIUM_DRIVERS: opts.drivers.join(' ') } });
  const port = await freePort();
  const child = spawn(
    join(opts.repoRoot, 'node_modules/.bin/appium'),
    ['--config', join(opts.repoRoot, 'device-farm/appium.config.yaml'), '--address', '127.0.0.1', '--port', String(port), '--log-level', 'info'],
    { env, stdio: ['ignore', 'pipe', 'pipe'] },
  );
  let tail = '';
  let partial = '';
  const lines: string[] = [];
  const keep = (chunk: Buffer) => {
    const text = chunk.toString('utf8');
    tail = (tail + text).slice(-8000);
    const parts = (partial + text).split('\n');
    partial = parts.pop() ?? '';
    lines.push(...parts);
    if (lines.length > 50_000) lines.splice(0, lines.length - 50_000);
  };
  child.stdout?.on('data', keep);
  child.stderr?.on('data', keep);
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  const url = `http://127.0.0.1:${port}`;
  const stop = async () => {
    if (child.exitCode !== null || child.signalCode !== null) return;
    child.kill('SIGTERM');
    const timer = setTimeout(() => child.kill('SIGKILL'), 10_000);
    await exited;
    clearTimeout(timer);
  };

  const until = Date.now() + (opts.startTimeoutMs ?? 30_000);
  for (;;) {
    if (child.exitCode !== null) throw new Error(`appium exited with code ${child.exitCode}:\n${tail}`);
    const ready = await fetch(`${url}/status`, { signal: AbortSignal.timeout(1000) }).then((r) => r.ok, () => false);
    if (ready) break;
    if (Date.now() > until) {
      await stop();
      throw new Error(`appium did not answer /status within ${opts.startTimeoutMs ?? 30_000} ms:\n${tail}`);
    }
    await new Promise((r) => setTimeout(r, 100));
  }
  return { url, port, process: child, logTail: () => tail, countLogLines: (text) => lines.filter((l) => l.includes(text)).length, stop };
}
