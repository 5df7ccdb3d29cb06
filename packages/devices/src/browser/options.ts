import os from 'node:os';
import type { ContentionThresholds, DeviceTier } from '@edgeproof/contracts';
import type { HarnessExecutionProvider, HarnessServerOptions } from '@edgeproof/harness-web';
import { contentionThresholds } from '../load/contention.ts';
import { isLoopback, keepsSandbox, type WebDriverEndpoint } from '../web-harness/chromium.ts';
import type { LocalChromiumOptions } from '../web-harness/local-chromium.ts';

export interface BrowserDriverOptions {
  /** default http://127.0.0.1:4723 (device-farm/start-appium.sh) */
  endpoint?: WebDriverEndpoint;
  /** browser devices this driver serves (one session at a time each); default 1 */
  slots?: number;
  /** local keys are `${prefix}-1`, `${prefix}-2`, ...; default "browser" */
  localKeyPrefix?: string;
  /** Chromium on the Appium host; null leaves goog:chromeOptions.binary unset (cloud farms). Default /usr/bin/chromium */
  browserBinary?: string | null;
  /** chromedriver on the Appium host (appium:executable); null lets the endpoint choose. Default /usr/bin/chromedriver */
  chromedriverPath?: string | null;
  /** slot i gets chromedriver port base + i; the discovery probe gets base + slots. Default 9600 */
  chromedriverBasePort?: number;
  /** default true */
  headless?: boolean;
  /** extra Chromium flags */
  browserArgs?: string[];
  /** merged over the session capabilities last (e.g. a cloud farm's vendor options) */
  capabilities?: Record<string, unknown>;
  /** default 'wasm'; 'webgpu' devices report unhealthy when the browser gives no adapter */
  executionProvider?: HarnessExecutionProvider;
  /** onnxruntime-web 1.30 ships SIMD builds only: 'fixed' (default) or 'relaxed' SIMD */
  simd?: 'fixed' | 'relaxed';
  /** default "mid" */
  tier?: DeviceTier;
  tags?: string[];
  /** where the harness is served; default 127.0.0.1 on a free port */
  harness?: HarnessServerOptions;
  /** a fresh profile directory per session is made under this folder (on the Appium host); default os.tmpdir() */
  profileRoot?: string;
  /** after each session, SIGKILL leftover browser/chromedriver processes of that session on this machine; default: endpoint is loopback */
  cleanupLocalProcesses?: boolean;
  /** how long opening a session may take; default 60 s */
  sessionStartTimeoutMs?: number;
  /** load above which a latency result is flagged contended (load/contention.ts; sampled only for a loopback endpoint) */
  contention?: ContentionThresholds;
  /** the agent's own Chromium and chromedriver (TFLite parity reference: LiteRT.js wasm); default /usr/bin/chromium, /usr/bin/chromedriver */
  localChromium?: LocalChromiumOptions;
  /**
   * Chromium's sandbox: 'auto' (default) keeps it unless Chromium would run as root on this
   * machine (a loopback endpoint and an agent running as root: Chromium refuses to start
   * sandboxed as root); true always keeps it, false always turns it off (`--no-sandbox`).
   */
  sandbox?: boolean | 'auto';
  /**
   * default true: the jobs of one run queued back to back for a slot (EvaluateJobPayload.deviceBatch)
   * share its WebDriver session, each in a fresh tab; false: a new session per job unless the run sets
   * reuseBrowserSession
   */
  continueBatches?: boolean;
  /** default true: a kept session's fresh tab gets the harness page and the finished job's runtime started, for the next job */
  preparePages?: boolean;
}

export const DEFAULT_APPIUM_URL = 'http://127.0.0.1:4723';

export type ResolvedBrowserOptions = Required<
  Omit<BrowserDriverOptions, 'endpoint' | 'harness' | 'capabilities' | 'browserArgs' | 'tags' | 'localChromium' | 'sandbox'>
> & {
  /** whether Chromium keeps its sandbox (keepsSandbox) */
  sandbox: boolean;
  localChromium: LocalChromiumOptions;
  endpoint: WebDriverEndpoint;
  harness: HarnessServerOptions;
  capabilities: Record<string, unknown>;
  browserArgs: string[];
  tags: string[];
};

export function resolveOptions(o: BrowserDriverOptions): ResolvedBrowserOptions {
  const endpoint = o.endpoint ?? { url: DEFAULT_APPIUM_URL };
  return {
    endpoint,
    slots: o.slots ?? 1,
    localKeyPrefix: o.localKeyPrefix ?? 'browser',
    browserBinary: o.browserBinary === undefined ? '/usr/bin/chromium' : o.browserBinary,
    chromedriverPath: o.chromedriverPath === undefined ? '/usr/bin/chromedriver' : o.chromedriverPath,
    chromedriverBasePort: o.chromedriverBasePort ?? 9600,
    headless: o.headless ?? true,
    browserArgs: o.browserArgs ?? [],
    capabilities: o.capabilities ?? {},
    executionProvider: o.executionProvider ?? 'wasm',
    simd: o.simd ?? 'fixed',
    tier: o.tier ?? 'mid',
    tags: o.tags ?? [],
    harness: o.harness ?? {},
    profileRoot: o.profileRoot ?? os.tmpdir(),
    cleanupLocalProcesses: o.cleanupLocalProcesses ?? isLoopback(endpoint.url),
    sessionStartTimeoutMs: o.sessionStartTimeoutMs ?? 60_000,
    contention: o.contention ?? contentionThresholds(),
    localChromium: { profileRoot: o.profileRoot ?? os.tmpdir(), ...o.localChromium },
    sandbox: keepsSandbox(o.sandbox ?? 'auto', endpoint.url),
    continueBatches: o.continueBatches ?? true,
    preparePages: o.preparePages ?? true,
  };
}
