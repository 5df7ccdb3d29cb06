import type { HarnessExecutionProvider, HarnessServer } from '@edgeproof/harness-web';
import type { HarnessSession, HarnessTarget } from '../web-harness/harness-job.ts';
import { AndroidSession, type AppiumEndpoint } from './appium-session.ts';

/**
 * The web harness (packages/harness-web) in Chrome on the phone. The Android driver serves the
 * harness on 127.0.0.1:PORT of the agent's host, runs `adb reverse tcp:PORT tcp:PORT` so the page at
 * http://127.0.0.1:PORT on the phone reaches it, opens Chrome through UiAutomator2 (Appium drives it
 * with a chromedriver) and runs the job with the browser driver's harness job code (harness-job.ts).
 */
export interface WebHarnessConfig {
  /** port of the harness server on the agent's 127.0.0.1, reversed onto the phone as the same port; default any free port */
  port?: number;
  /** default 'wasm' */
  executionProvider?: HarnessExecutionProvider;
  /** default 'fixed' */
  simd?: 'fixed' | 'relaxed';
  /** `appium:chromedriverExecutable` on the Appium host: a chromedriver that fits the phone's Chrome version */
  chromedriverExecutable?: string;
  /** merged over the Chrome session's capabilities (before the endpoint's own) */
  capabilities?: Record<string, unknown>;
}

/** Package of the browser UiAutomator2 opens for `browserName: Chrome`. */
export const CHROME_PACKAGE = 'com.android.chrome';

/** Capabilities of the Chrome session beyond the UiAutomator2 basics (appium-session.ts). */
export function chromeCapabilities(web: WebHarnessConfig): Record<string, unknown> {
  return {
    ...(web.chromedriverExecutable ? { 'appium:chromedriverExecutable': web.chromedriverExecutable } : {}),
    ...web.capabilities,
  };
}

export interface ChromeSession extends HarnessSession {
  android: AndroidSession;
}

export interface ChromeTargetOptions {
  appium: AppiumEndpoint;
  endpointLabel: string;
  serial: string;
  server: HarnessServer;
  web: WebHarnessConfig;
  /** stops Chrome on the phone (through the host's adb): a page hung in wasm would hold up the session delete */
  forceStopChrome(): Promise<void>;
  /** the driver keeps track of open sessions, so dispose() can end them */
  track(session: AndroidSession): void;
  untrack(session: AndroidSession): Promise<void>;
}

/** Chrome on one phone as a harness target. */
export function chromeTarget(o: ChromeTargetOptions): HarnessTarget<ChromeSession> {
  return {
    server: o.server,
    executionProvider: o.web.executionProvider ?? 'wasm',
    simd: o.web.simd ?? 'fixed',
    endpoint: o.endpointLabel,
    browserName: 'chrome (Android)',
    extra: { harness: 'web', serial: o.serial },
    async open(commandTimeoutMs) {
      const started = performance.now();
      const android = await AndroidSession.open(o.appium, {
        serial: o.serial,
        browserName: 'Chrome',
        commandTimeoutMs,
        capabilities: chromeCapabilities(o.web),
      });
      o.track(android);
      const caps = android.browser.capabilities as { browserVersion?: string };
      return { android, browser: android.browser as unknown as WebdriverIO.Browser, browserVersion: caps.browserVersion ?? 'unknown', openMs: performance.now() - started };
    },
    async close(session, { browserFirst }) {
      if (browserFirst) await o.forceStopChrome().catch(() => undefined);
      await o.untrack(session.android);
    },
  };
}
