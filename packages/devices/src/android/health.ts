import type { HealthReport } from '../driver.ts';
import type { TelemetrySample } from './telemetry.ts';

export interface AndroidHealthLimits {
  /** below this battery level a phone is unhealthy; default 20 % */
  minBatteryPct: number;
  /** above this battery temperature a phone must cool down first; default 40 °C */
  maxBatteryTempC: number;
  /** highest acceptable PowerManager thermal status; default 1 (light) */
  maxThermalStatus: number;
  /** longest pre-job wait for cool-down; default 5 min */
  cooldownMaxMs: number;
  cooldownPollMs: number;
}

type Verdict = HealthReport & { hot?: boolean };

/** Battery and temperature against the limits; a phone whose battery cannot be read is not healthy. */
export function evaluateHealth(sample: TelemetrySample, limits: AndroidHealthLimits): Verdict {
  const b = sample.battery;
  if (!b) {
    const why = sample.errors['dumpsys battery'] ?? 'no battery data';
    return { ok: false, reason: `cannot read the battery (Appium needs --allow-insecure uiautomator2:adb_shell): ${why}` };
  }
  if (b.levelPct !== null && b.levelPct < limits.minBatteryPct) {
    return { ok: false, reason: `battery at ${b.levelPct}%, below ${limits.minBatteryPct}%` };
  }
  if (b.temperatureC !== null && b.temperatureC > limits.maxBatteryTempC) {
    return { ok: false, hot: true, reason: `battery at ${b.temperatureC} °C, above ${limits.maxBatteryTempC} °C` };
  }
  const status = sample.thermal?.status ?? null;
  if (status !== null && status > limits.maxThermalStatus) {
    return { ok: false, hot: true, reason: `thermal status ${sample.thermal?.statusName ?? status}, above the allowed level ${limits.maxThermalStatus}` };
  }
  return { ok: true };
}

/**
 * Reads telemetry until the phone is within limits; a hot phone is polled every cooldownPollMs for up to
 * cooldownMaxMs. The wait is reported as `cooldownWaitMs` (0 when none was needed).
 */
export async function waitForCooldown(
  read: () => Promise<TelemetrySample>,
  limits: AndroidHealthLimits,
  signal: AbortSignal,
  now: () => number = Date.now,
): Promise<HealthReport> {
  const start = now();
  for (;;) {
    const verdict = evaluateHealth(await read(), limits);
    const waited = now() - start;
    if (verdict.ok) return { ok: true, cooldownWaitMs: waited };
    if (!verdict.hot) return { ok: false, ...(verdict.reason ? { reason: verdict.reason } : {}), cooldownWaitMs: waited };
    if (waited + limits.cooldownPollMs > limits.cooldownMaxMs || signal.aborted) {
      return { ok: false, reason: `still too hot after waiting ${Math.round(waited / 1000)} s: ${verdict.reason ?? ''}`, cooldownWaitMs: waited };
    }
    await new Promise<void>((r) => {
      const t = setTimeout(r, limits.cooldownPollMs);
      signal.addEventListener('abort', () => (clearTimeout(t), r()), { once: true });
    });
  }
}
