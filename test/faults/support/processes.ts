import { spawn, type ChildProcess } from 'node:child_process';
import { join } from 'node:path';
import { repoRoot } from '@edgeproof/testkit';

/** A real API or agent process, started from source as the project's scripts start them. */
export class NodeProcess {
  #child: ChildProcess | null = null;
  #exited: Promise<number | null> = Promise.resolve(null);
  #log = '';
  starts = 0;

  constructor(
    readonly name: string,
    readonly entry: string,
    readonly env: () => NodeJS.ProcessEnv,
  ) {}

  get pid(): number | undefined {
    return this.#child?.pid;
  }

  get running(): boolean {
    return this.#child !== null && this.#child.exitCode === null && this.#child.signalCode === null;
  }

  /** the last output of every start, for a failure's message */
  logTail(chars = 4000): string {
    return this.#log.slice(-chars);
  }

  start(): void {
    if (this.running) throw new Error(`${this.name} is already running`);
    this.starts++;
    const child = spawn(process.execPath, ['--import', 'tsx', join(repoRoot, this.entry)], { cwd: repoRoot, env: this.env(), stdio: ['ignore', 'pipe', 'pipe'] });
    const keep = (d: Buffer) => {
      this.#log = (this.#log + d.toString()).slice(-64_000);
    };
    child.stdout?.on('data', keep);
    child.stderr?.on('data', keep);
    this.#log += `\n--- ${this.name} start ${this.starts} (pid ${child.pid}) ---\n`;
    this.#exited = new Promise((resolve) => child.once('exit', (code) => resolve(code)));
    this.#child = child;
  }

  async kill(signal: NodeJS.Signals = 'SIGKILL'): Promise<number | null> {
    if (!this.running) return this.#exited;
    this.#child?.kill(signal);
    return this.#exited;
  }
}

/** Resolves once `url` answers 200, or throws after `timeoutMs`. */
export async function untilHealthy(url: string, timeoutMs: number, what: string): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    try {
      const res = await fetch(url, { signal: AbortSignal.timeout(2_000) });
      if (res.ok) return;
    } catch {
      // not listening yet
    }
    if (Date.now() > deadline) throw new Error(`${what} did not answer ${url} within ${timeoutMs} ms`);
    await new Promise((r) => setTimeout(r, 200));
  }
}
