import { randomBytes } from 'node:crypto';
import { rm } from 'node:fs/promises';
import { join } from 'node:path';
import { remote } from 'webdriverio';
import { HEADLESS_ARGS, sandboxArgs } from '../web-harness/chromium.ts';
import { killProcesses } from '../web-harness/processes.ts';
import type { ResolvedBrowserOptions } from './options.ts';

const DELETE_SESSION_TIMEOUT_MS = 15_000;

/** One WebDriver session on one browser slot, with what is needed to clean up after it. */
export interface BrowserSession {
  browser: WebdriverIO.Browser;
  profileDir: string;
  chromedriverPort: number;
  /** reported by chromedriver (goog:processID) */
  browserVersion: string;
  openMs: number;
}

export interface SessionRequest {
  /** goes into the profile directory name, so leftovers can be found by it */
  slotName: string;
  chromedriverPort: number;
  /** HTTP timeout of every WebDriver command: must outlast the longest executeAsync */
  commandTimeoutMs: number;
}

export function sessionCapabilities(o: ResolvedBrowserOptions, profileDir: string, chromedriverPort: number): Record<string, unknown> {
  const args = [...(o.headless ? HEADLESS_ARGS : []), ...sandboxArgs(o.sandbox), `--user-data-dir=${profileDir}`, ...o.browserArgs];
  return {
    platformName: 'linux',
    browserName: 'chrome',
    'appium:automationName': 'Chromium',
    ...(o.chromedriverPath !== null ? { 'appium:executable': o.chromedriverPath } : {}),
    'appium:autodownloadEnabled': false,
    'appium:chromedriverPort': chromedriverPort,
    'goog:chromeOptions': { ...(o.browserBinary !== null ? { binary: o.browserBinary } : {}), args },
    // classic WebDriver HTTP only: every Appium, Grid and cloud endpoint speaks it (WebdriverIO would otherwise switch to BiDi)
    'wdio:enforceWebDriverClassic': true,
    ...o.capabilities,
  };
}

/** Opens a session with a fresh profile directory; a failed start cleans up what it may have left. */
export async function openSession(o: ResolvedBrowserOptions, req: SessionRequest): Promise<BrowserSession> {
  const profileDir = join(o.profileRoot, `edgeproof-${req.slotName}-${randomBytes(6).toString('hex')}`);
  const url = new URL(o.endpoint.url);
  const started = performance.now();
  let timer: NodeJS.Timeout | undefined;
  const opening = remote({
    protocol: url.protocol.replace(':', ''),
    hostname: url.hostname,
    port: url.port ? Number(url.port) : url.protocol === 'https:' ? 443 : 80,
    path: url.pathname || '/',
    // on every request, not only the new-session one (WebdriverIO's user/key reach only some requests)
    ...(o.endpoint.user !== undefined && o.endpoint.key !== undefined ? { headers: { authorization: basicAuth(o.endpoint.user, o.endpoint.key) } } : {}),
    capabilities: sessionCapabilities(o, profileDir, req.chromedriverPort) as WebdriverIO.Capabilities,
    logLevel: 'silent',
    connectionRetryCount: 0,
    connectionRetryTimeout: req.commandTimeoutMs,
  });
  try {
    const browser = await Promise.race([
      opening,
      new Promise<never>((_, reject) => {
        timer = setTimeout(
          () => reject(new Error(`no session within ${Math.round(o.sessionStartTimeoutMs / 1000)}s`)),
          o.sessionStartTimeoutMs,
        );
      }),
    ]);
    const caps = browser.capabilities as { browserVersion?: string };
    return { browser, profileDir, chromedriverPort: req.chromedriverPort, browserVersion: caps.browserVersion ?? 'unknown', openMs: performance.now() - started };
  } catch (err) {
    // a session that arrives after the timeout must not live on
    void opening.then((late) => late.deleteSession().catch(() => {}), () => {});
    await cleanupLocal(o, profileDir, req.chromedriverPort);
    throw err;
  } finally {
    clearTimeout(timer);
  }
}

/**
 * Ends the session whatever state the browser is in: WebDriver delete (Appium stops chromedriver,
 * chromedriver stops the browser), then, on this machine, SIGKILL anything left of this session and
 * remove its profile directory. With `browserFirst` (the job did not finish: the page may be hung in
 * wasm, and Appium runs a session's commands one at a time, so the delete would queue behind the
 * pending script) the local browser is killed before the delete. Never throws.
 */
export async function closeSession(o: ResolvedBrowserOptions, s: BrowserSession, opts: { browserFirst?: boolean } = {}): Promise<void> {
  if (opts.browserFirst && o.cleanupLocalProcesses) await killProcesses([`--user-data-dir=${s.profileDir}`]);
  let timer: NodeJS.Timeout | undefined;
  await Promise.race([
    s.browser.deleteSession().catch(() => {}),
    new Promise<void>((resolve) => (timer = setTimeout(resolve, DELETE_SESSION_TIMEOUT_MS))),
  ]);
  clearTimeout(timer);
  await cleanupLocal(o, s.profileDir, s.chromedriverPort);
}

export function basicAuth(user: string, key: string): string {
  return `Basic ${Buffer.from(`${user}:${key}`).toString('base64')}`;
}

async function cleanupLocal(o: ResolvedBrowserOptions, profileDir: string, chromedriverPort: number): Promise<void> {
  if (!o.cleanupLocalProcesses) return;
  await killProcesses([`--user-data-dir=${profileDir}`]);
  await killProcesses(['chromedriver', `--port=${chromedriverPort}`]);
  await rm(profileDir, { recursive: true, force: true }).catch(() => {});
}
