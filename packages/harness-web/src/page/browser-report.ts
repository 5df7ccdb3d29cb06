import type { BrowserReport, PressureRecordOut } from '../protocol.ts';

const MAX_PRESSURE_RECORDS = 1000;

interface ChromiumMemory {
  usedJSHeapSize: number;
  totalJSHeapSize: number;
  jsHeapSizeLimit: number;
}

// Compute Pressure API (Chromium); not in TypeScript's DOM lib yet
interface PressureRecordLike {
  state: string;
  time: number;
}
interface PressureObserverLike {
  observe(source: 'cpu', options?: { sampleInterval?: number }): Promise<void>;
  disconnect(): void;
}
type PressureObserverCtor = new (callback: (records: PressureRecordLike[]) => void) => PressureObserverLike;

function chromiumMemory(): ChromiumMemory | null {
  const memory = (performance as Performance & { memory?: ChromiumMemory }).memory;
  return memory ? { usedJSHeapSize: memory.usedJSHeapSize, totalJSHeapSize: memory.totalJSHeapSize, jsHeapSizeLimit: memory.jsHeapSizeLimit } : null;
}

/**
 * Watches what the browser exposes while a benchmark runs: Compute Pressure ('cpu') state changes and
 * the JS heap (sampled when the benchmark calls `sample()`, outside timed regions).
 */
export class BrowserWatch {
  readonly #records: PressureRecordOut[] = [];
  #observer: PressureObserverLike | undefined;
  #pressureSupported = false;
  #pressureError: string | undefined;
  #peakHeap = 0;

  async start(sampleIntervalMs: number): Promise<void> {
    this.sample();
    const Ctor = (globalThis as { PressureObserver?: PressureObserverCtor }).PressureObserver;
    if (Ctor === undefined) return;
    this.#pressureSupported = true;
    try {
      this.#observer = new Ctor((records) => {
        for (const r of records) {
          if (this.#records.length < MAX_PRESSURE_RECORDS) this.#records.push({ state: r.state, time: r.time });
        }
      });
      await this.#observer.observe('cpu', { sampleInterval: sampleIntervalMs });
    } catch (err) {
      this.#pressureError = err instanceof Error ? `${err.name}: ${err.message}` : String(err);
    }
  }

  sample(): void {
    const used = chromiumMemory()?.usedJSHeapSize;
    if (used !== undefined && used > this.#peakHeap) this.#peakHeap = used;
  }

  async report(): Promise<BrowserReport> {
    this.sample();
    this.#observer?.disconnect();
    const memory = chromiumMemory();
    const nav = navigator as Navigator & { deviceMemory?: number; gpu?: { requestAdapter(): Promise<unknown> } };
    return {
      userAgent: nav.userAgent,
      hardwareConcurrency: nav.hardwareConcurrency,
      platform: nav.platform,
      deviceMemoryGb: nav.deviceMemory ?? null,
      crossOriginIsolated: globalThis.crossOriginIsolated === true,
      memory: memory ? { ...memory, peakUsedJSHeapSize: this.#peakHeap } : null,
      pressure: {
        supported: this.#pressureSupported,
        records: this.#records,
        ...(this.#pressureError !== undefined ? { error: this.#pressureError } : {}),
      },
      webgpuAdapter: await hasWebGpuAdapter(),
      timerResolutionMs: timerResolutionMs(),
    };
  }
}

/** The smallest positive step between consecutive performance.now() readings, over 50 steps. */
export function timerResolutionMs(): number {
  let min = Number.POSITIVE_INFINITY;
  let last = performance.now();
  for (let i = 0, steps = 0; steps < 50 && i < 10_000_000; i++) {
    const now = performance.now();
    if (now > last) {
      min = Math.min(min, now - last);
      last = now;
      steps++;
    }
  }
  return Number.isFinite(min) ? min : 0;
}

export async function hasWebGpuAdapter(): Promise<boolean> {
  const gpu = (navigator as Navigator & { gpu?: { requestAdapter(): Promise<unknown> } }).gpu;
  if (gpu === undefined) return false;
  try {
    return (await gpu.requestAdapter()) !== null;
  } catch {
    return false;
  }
}
