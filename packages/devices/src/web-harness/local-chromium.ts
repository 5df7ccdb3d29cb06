import { spawn, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { rm } from 'node:fs/promises';
import { createServer } from 'node:net';
import os from 'node:os';
import { join } from 'node:path';
import type { HarnessServer } from '@edgeproof/harness-web';
import { remote } from 'webdriverio';
import type { HarnessSession, HarnessTarget } from './harness-job.ts';
import { HEADLESS_ARGS, keepsSandbox, sandboxArgs } from './chromium.ts';
import { killProcesses } from './processes.ts';

/**
 * The agent's own headless Chromium, driven through a chromedriver the agent starts itself (no Appium):
 * the parity reference for TFLite (LiteRT.js on wasm) and the browser behind TFLite jobs on the host
 * device. One chromedriver and one fresh profile directory per session; everything is killed at close.
 */
export interface LocalChromiumOptions {
  /** default /usr/bin/chromium */
  browserBinary?: string;
  /** default /usr/bin/chromedriver */
  chromedriverPath?: string;
  /** profile directories are made under this folder; default os.tmpdir() */
  profileRoot?: string;
  /** how long chromedriver and the session may take to start; default 30 s */
  startTimeoutMs?: number;
}
// this Chromium runs as the agent's own user: sandboxed unless that is root (chromium.ts keepsSandbox)

export interface LocalChromiumSession extends HarnessSession {
  chromedriver: ChildProcess;
  profileDir: string;
}

const DELETE_TIMEOUT_MS = 10_000;

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const srv = createServer();
    srv.once('error', reject);
    srv.listen(0, '127.0.0.1', () => {
      const a = srv.address();
      srv.close(() => resolve(typeof a === 'object' && a ? a.port : 0));
    });
  });
}

async function waitForChromedriver(child: ChildProcess, port: number, timeoutMs: number): Promise<void> {
  const until = performance.now() + timeoutMs;
  for (;;) {
    if (child.exitCode !== null || child.signalCode !== null) throw new Error(`chromedriver exited (${child.signalCode ?? `code ${child.exitCode}`}) before answering`);
    const ready = await fetch(`http://127.0.0.1:${port}/status`, { signal: AbortSignal.timeout(1000) }).then(
      async (r) => r.ok && ((await r.json()) as { value?: { ready?: boolean } }).value?.ready === true,
      () => false,
    );
    if (ready) return;
    if (performance.now() > until) throw new Error(`chromedriver did not answer on port ${port} within ${timeoutMs / 1000}s`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

async function openLocal(o: LocalChromiumOptions, role: string, commandTimeoutMs: number): Promise<LocalChromiumSession> {
  const started = performance.now();
  const startTimeoutMs = o.startTimeoutMs ?? 30_000;
  const profileDir = join(o.profileRoot ?? os.tmpdir(), `edgeproof-local-${role}-${randomBytes(6).toString('hex')}`);
  const port = await freePort();
  const chromedriver = spawn(o.chromedriverPath ?? '/usr/bin/chromedriver', [`--port=${port}`, '--allowed-ips=127.0.0.1'], { stdio: 'ignore' });
  chromedriver.on('error', () => {});
  try {
    await waitForChromedriver(chromedriver, port, startTimeoutMs);
    const browser = await remote({
      hostname: '127.0.0.1',
      port,
      path: '/',
      capabilities: {
        browserName: 'chrome',
        'goog:chromeOptions': { binary: o.browserBinary ?? '/usr/bin/chromium', args: [...HEADLESS_ARGS, ...sandboxArgs(keepsSandbox('auto', 'http://127.0.0.1')), `--user-data-dir=${profileDir}`] },
        'wdio:enforceWebDriverClassic': true,
      } as WebdriverIO.Capabilities,
      logLevel: 'silent',
      connectionRetryCount: 0,
      connectionRetryTimeout: commandTimeoutMs,
    });
    const caps = browser.capabilities as { browserVersion?: string };
    return { browser, browserVersion: caps.browserVersion ?? 'unknown', openMs: performance.now() - started, chromedriver, profileDir };
  } catch (err) {
    await closeLocal({ chromedriver, profileDir }, true);
    throw err;
  }
}

async function closeLocal(s: { browser?: WebdriverIO.Browser; chromedriver: ChildProcess; profileDir: string }, browserFirst: boolean): Promise<void> {
  // a page hung in wasm would hold up the session delete: kill that browser first
  if (browserFirst) await killProcesses([`--user-data-dir=${s.profileDir}`]);
  if (s.browser) {
    let timer: NodeJS.Timeout | undefined;
    await Promise.race([s.browser.deleteSession().catch(() => {}), new Promise<void>((r) => (timer = setTimeout(r, DELETE_TIMEOUT_MS)))]);
    clearTimeout(timer);
  }
  if (s.chromedriver.exitCode === null && s.chromedriver.signalCode === null) {
    const exited = new Promise<void>((r) => s.chromedriver.once('exit', () => r()));
    s.chromedriver.kill('SIGKILL');
    await exited;
  }
  await killProcesses([`--user-data-dir=${s.profileDir}`]);
  await rm(s.profileDir, { recursive: true, force: true }).catch(() => {});
}

/** The agent's own Chromium as a harness target; `role` goes into profile names ("reference", "host"). */
export function localChromiumTarget(server: HarnessServer, o: LocalChromiumOptions, role: string, extra: Record<string, unknown> = {}): HarnessTarget<LocalChromiumSession> {
  return {
    server,
    executionProvider: 'wasm',
    simd: 'fixed',
    endpoint: 'chromedriver on the agent (local)',
    browserName: 'chromium (agent, headless)',
    runtimes: ['litert/wasm', 'onnxruntime-web/wasm'],
    extra: { browserRole: role, ...extra },
    open: (commandTimeoutMs) => openLocal(o, role, commandTimeoutMs),
    close: (session, { browserFirst }) => closeLocal(session, browserFirst),
  };
}
