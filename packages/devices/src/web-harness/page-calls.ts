import { HARNESS_GLOBAL, type HarnessPrepare, type HarnessPrepared, type HarnessResult, type HarnessSpec } from '@edgeproof/harness-web';
import { DriverError } from '../driver.ts';

/*
 * Scripts run in the page are strings, not functions: tsx/esbuild may wrap functions with helpers
 * (e.g. __name) that do not exist in the browser.
 */

const READY_SCRIPT = `return !!(window.${HARNESS_GLOBAL} && window.${HARNESS_GLOBAL}.ready === true);`;

const RUN_SCRIPT = `
const done = arguments[arguments.length - 1];
window.${HARNESS_GLOBAL}.run(arguments[0]).then(done, (e) => done({ ok: false, failure: { code: 'failed', message: String(e && e.message || e) } }));
`;

const PREPARE_SCRIPT = `
const done = arguments[arguments.length - 1];
window.${HARNESS_GLOBAL}.prepare(arguments[0]).then(done, (e) => done({ ok: false, failure: { code: 'failed', message: String(e && e.message || e) } }));
`;

const PROBE_SCRIPT = `
const done = arguments[arguments.length - 1];
const gpu = navigator.gpu;
const info = {
  userAgent: navigator.userAgent,
  platform: navigator.platform,
  hardwareConcurrency: navigator.hardwareConcurrency,
  deviceMemoryGb: navigator.deviceMemory ?? null,
  crossOriginIsolated: globalThis.crossOriginIsolated === true,
  computePressure: typeof PressureObserver === 'function',
  performanceMemory: !!performance.memory,
};
if (!gpu) done({ ...info, webgpuAdapter: false });
else gpu.requestAdapter().then((a) => done({ ...info, webgpuAdapter: a !== null }), () => done({ ...info, webgpuAdapter: false }));
`;

export interface PageProbe {
  userAgent: string;
  platform: string;
  hardwareConcurrency: number;
  deviceMemoryGb: number | null;
  crossOriginIsolated: boolean;
  computePressure: boolean;
  performanceMemory: boolean;
  webgpuAdapter: boolean;
}

/** Opens the harness page and waits until its script has installed the harness global. */
export async function loadHarness(browser: WebdriverIO.Browser, url: string, timeoutMs = 30_000): Promise<number> {
  const started = performance.now();
  await browser.url(url);
  while (!(await browser.execute(READY_SCRIPT))) {
    if (performance.now() - started > timeoutMs) {
      throw new DriverError('failed', `the harness page did not become ready within ${timeoutMs / 1000}s (${url})`);
    }
    await new Promise((r) => setTimeout(r, 50));
  }
  return performance.now() - started;
}

export async function runInPage(browser: WebdriverIO.Browser, spec: HarnessSpec): Promise<HarnessResult> {
  return (await browser.executeAsync(RUN_SCRIPT, spec)) as HarnessResult;
}

/** Starts the runtime in a loaded harness page before its job (off the job's clock). */
export async function preparePage(browser: WebdriverIO.Browser, p: HarnessPrepare): Promise<HarnessPrepared> {
  return (await browser.executeAsync(PREPARE_SCRIPT, p)) as HarnessPrepared;
}

export async function probePage(browser: WebdriverIO.Browser): Promise<PageProbe> {
  return (await browser.executeAsync(PROBE_SCRIPT)) as PageProbe;
}
