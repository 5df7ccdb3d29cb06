import type { DriverJob, DriverResult } from '../driver.ts';
import type { AndroidSession } from './appium-session.ts';

/**
 * SEAM: the web harness (packages/harness-web) running in Chrome on the phone. The driver does the
 * Android part — a Chrome session through UiAutomator2 and `adb reverse tcp:PORT tcp:PORT` so the page
 * at http://127.0.0.1:PORT on the phone reaches the agent's harness server — and hands over to this
 * runner, which loads the harness page, runs the benchmark inside it and returns the result. The
 * browser driver's harness runner plugs in here unchanged once it exists.
 */
export interface WebHarnessContext {
  session: AndroidSession;
  /** the harness page as the phone sees it (through adb reverse) */
  harnessUrl: string;
  job: DriverJob;
  signal: AbortSignal;
}

export type WebHarnessRunner = (ctx: WebHarnessContext) => Promise<DriverResult>;

export interface WebHarnessConfig {
  /** port of the agent's harness server on 127.0.0.1; the same port is reversed onto the phone */
  port: number;
  /** page path; default "/" */
  path?: string;
  runner?: WebHarnessRunner;
}
