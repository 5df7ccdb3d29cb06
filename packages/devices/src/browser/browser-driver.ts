import type { DeviceRegistration } from '@edgeproof/contracts';
import { startHarnessServer, type HarnessServer } from '@edgeproof/harness-web';
import { DriverError, type DeviceDriver, type DriverJob, type DriverResult, type HealthReport } from '../driver.ts';
import { endpointLabel } from '../web-harness/chromium.ts';
import { loadHarness, probePage, type PageProbe } from '../web-harness/page-calls.ts';
import { resolveOptions, type BrowserDriverOptions, type ResolvedBrowserOptions } from './options.ts';
import { observeBrowserJob } from './host-load.ts';
import { runBrowserJob, type JobTimings } from './run-job.ts';
import { SlotSessions } from './slot-sessions.ts';
import { basicAuth, closeSession, openSession } from './session.ts';

const STATUS_TIMEOUT_MS = 5_000;
/** a failed probe is retried by health checks at most this often */
const REPROBE_INTERVAL_MS = 60_000;

type Probe = { ok: true; page: PageProbe; browserName: string; browserVersion: string } | { ok: false; error: string };

/**
 * Browser devices: WebdriverIO → a WebDriver endpoint (Appium's chromium driver, a Selenium Grid, a
 * cloud farm) → Chromium, running the harness page from @edgeproof/harness-web. One device per slot;
 * every job gets its own session, profile directory and chromedriver port (per slot).
 */
export class BrowserDriver implements DeviceDriver {
  readonly kind = 'browser';
  readonly #opts: ResolvedBrowserOptions;
  #server: Promise<HarnessServer> | undefined;
  #probe: Probe | undefined;
  #probedAt = 0;
  readonly #running = new Map<AbortController, Promise<unknown>>();
  /** per slot: its session, kept between jobs whose settings allow it (slot-sessions.ts) */
  readonly #sessions = new Map<number, SlotSessions>();
  /** called after every job with its phase durations (benchmarks read it) */
  onJobTimings: ((t: JobTimings) => void) | undefined;

  constructor(opts: BrowserDriverOptions = {}) {
    this.#opts = resolveOptions(opts);
  }

  /** The harness server, started on first use. */
  harnessServer(): Promise<HarnessServer> {
    this.#server ??= startHarnessServer(this.#opts.harness);
    return this.#server;
  }

  async discover(): Promise<DeviceRegistration[]> {
    const probe = await this.#runProbe();
    const o = this.#opts;
    return Array.from({ length: o.slots }, (_, i): DeviceRegistration => {
      const localKey = `${o.localKeyPrefix}-${i + 1}`;
      const attributes: Record<string, unknown> = {
        endpoint: endpointLabel(o.endpoint),
        executionProvider: o.executionProvider,
        headless: o.headless,
        chromedriverPort: o.chromedriverBasePort + i,
      };
      if (!probe.ok) {
        return { localKey, platform: 'browser', driver: this.kind, tier: o.tier, tags: o.tags, runtimes: runtimesOf(o, false), attributes: { ...attributes, probeError: probe.error } };
      }
      const { page } = probe;
      return {
        localKey,
        platform: 'browser',
        driver: this.kind,
        maker: 'Chromium',
        model: `Chromium ${probe.browserVersion.split('.')[0]}`,
        osVersion: page.platform,
        cores: page.hardwareConcurrency,
        ...(page.deviceMemoryGb ? { ramMb: Math.round(page.deviceMemoryGb * 1024) } : {}),
        tier: o.tier,
        tags: o.tags,
        runtimes: runtimesOf(o, page.webgpuAdapter),
        attributes: {
          ...attributes,
          browserName: probe.browserName,
          browserVersion: probe.browserVersion,
          userAgent: page.userAgent,
          crossOriginIsolated: page.crossOriginIsolated,
          computePressure: page.computePressure,
          performanceMemory: page.performanceMemory,
          webgpuAdapter: page.webgpuAdapter,
        },
      };
    });
  }

  async healthCheck(_device: DeviceRegistration): Promise<HealthReport> {
    const status = await endpointStatus(this.#opts.endpoint.url, this.#opts.endpoint);
    if (!status.ok) return status;
    // a browser that could not be probed at start gets another probe (a session) until it works
    if (!this.#probe?.ok && Date.now() - this.#probedAt >= REPROBE_INTERVAL_MS) await this.#runProbe(true);
    const probe = this.#probe;
    if (!probe?.ok) return { ok: false, reason: `no browser session: ${probe?.error ?? 'not probed'}` };
    if (this.#opts.executionProvider === 'webgpu' && !probe.page.webgpuAdapter) {
      return { ok: false, reason: 'executionProvider webgpu configured, but the browser gives no WebGPU adapter' };
    }
    return { ok: true };
  }

  async run(device: DeviceRegistration, job: DriverJob, signal: AbortSignal): Promise<DriverResult> {
    const slot = this.#slotIndex(device.localKey);
    const own = new AbortController();
    const onAbort = () => own.abort(signal.reason);
    if (signal.aborted) own.abort(signal.reason);
    else signal.addEventListener('abort', onAbort, { once: true });
    const ctx = {
      opts: this.#opts,
      server: await this.harnessServer(),
      slotName: device.localKey,
      chromedriverPort: this.#opts.chromedriverBasePort + slot,
      runtimes: device.runtimes,
      sessions: this.#slotSessions(slot, device.localKey),
    };
    const running = observeBrowserJob(this.#opts, ctx.sessions, job.batch, (onT) => runBrowserJob(ctx, job, own.signal, onT), (t) => this.onJobTimings?.(t));
    this.#running.set(own, running.catch(() => {}));
    try {
      return await running;
    } finally {
      signal.removeEventListener('abort', onAbort);
      this.#running.delete(own);
    }
  }

  /** Aborts running jobs, waits for their sessions to be torn down, stops the harness server. */
  async dispose(): Promise<void> {
    for (const c of this.#running.keys()) c.abort(new Error('driver disposed'));
    await Promise.all(this.#running.values());
    await Promise.all([...this.#sessions.values()].map((s) => s.closeKept()));
    const server = this.#server;
    this.#server = undefined;
    if (server) await (await server).close();
  }

  #slotSessions(slot: number, slotName: string): SlotSessions {
    let s = this.#sessions.get(slot);
    if (!s) this.#sessions.set(slot, (s = new SlotSessions(this.#opts, slotName, this.#opts.chromedriverBasePort + slot)));
    return s;
  }

  #slotIndex(localKey: string): number {
    const m = new RegExp(`^${escapeRegExp(this.#opts.localKeyPrefix)}-(\\d+)$`).exec(localKey);
    const n = m?.[1] ? Number(m[1]) : NaN;
    if (!(n >= 1 && n <= this.#opts.slots)) throw new DriverError('unsupported', `the browser driver has no slot "${localKey}"`);
    return n - 1;
  }

  /** Opens one session on the probe port (base + slots), loads the harness and reads what the browser says about itself. */
  async #runProbe(again = false): Promise<Probe> {
    if (this.#probe && !again) return this.#probe;
    const o = this.#opts;
    this.#probedAt = Date.now();
    try {
      const server = await this.harnessServer();
      const session = await openSession(o, { slotName: `${o.localKeyPrefix}-probe`, chromedriverPort: o.chromedriverBasePort + o.slots, commandTimeoutMs: 60_000 });
      try {
        await loadHarness(session.browser, server.pageUrl(o.executionProvider));
        const page = await probePage(session.browser);
        const caps = session.browser.capabilities as { browserName?: string };
        this.#probe = { ok: true, page, browserName: caps.browserName ?? 'chrome', browserVersion: session.browserVersion };
      } finally {
        await closeSession(o, session);
      }
    } catch (err) {
      this.#probe = { ok: false, error: (err instanceof Error ? err.message : String(err)).split('\n')[0]?.slice(0, 500) ?? 'unknown error' };
    }
    return this.#probe;
  }
}

/**
 * onnxruntime-web on the configured execution provider (ONNX), LiteRT.js on wasm (TFLite; XNNPACK
 * runs in every browser) and on WebGPU when the probe got an adapter.
 */
function runtimesOf(o: ResolvedBrowserOptions, webgpuAdapter: boolean): string[] {
  const litert = o.executionProvider === 'webgpu' || webgpuAdapter ? ['litert/wasm', 'litert/webgpu'] : ['litert/wasm'];
  return [`onnxruntime-web/${o.executionProvider}`, ...litert];
}

function escapeRegExp(s: string): string {
  return s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}

/** GET <endpoint>/status: Appium and Grid answer { value: { ready } }. */
async function endpointStatus(url: string, auth: { user?: string; key?: string }): Promise<HealthReport> {
  const headers: Record<string, string> = {};
  if (auth.user !== undefined && auth.key !== undefined) {
    headers.authorization = basicAuth(auth.user, auth.key);
  }
  const statusUrl = `${url.replace(/\/+$/, '')}/status`;
  const label = endpointLabel({ url });
  try {
    const res = await fetch(statusUrl, { headers, signal: AbortSignal.timeout(STATUS_TIMEOUT_MS) });
    if (!res.ok) return { ok: false, reason: `WebDriver endpoint ${label} answered /status with ${res.status}` };
    const body = (await res.json().catch(() => null)) as { value?: { ready?: boolean; message?: string } } | null;
    if (body?.value?.ready === false) return { ok: false, reason: `WebDriver endpoint ${label} not ready: ${body.value.message ?? ''}`.trim() };
    return { ok: true };
  } catch (err) {
    const cause = err instanceof Error ? (err.cause instanceof Error ? err.cause.message : err.message) : String(err);
    return { ok: false, reason: `WebDriver endpoint ${label} unreachable: ${cause}` };
  }
}
