/** Milliseconds with a unit that keeps three significant digits readable: µs below 1 ms, s from 10 s. */
export function formatMs(ms: number | null | undefined): string {
  if (ms === null || ms === undefined || !Number.isFinite(ms)) return '—';
  const abs = Math.abs(ms);
  if (abs < 1) return `${(ms * 1000).toPrecision(3)} µs`;
  if (abs >= 10_000) return `${(ms / 1000).toPrecision(3)} s`;
  return `${ms.toPrecision(3)} ms`;
}

const BYTE_UNITS = ['B', 'KiB', 'MiB', 'GiB'];

export function formatBytes(bytes: number | null | undefined): string {
  if (bytes === null || bytes === undefined || !Number.isFinite(bytes)) return '—';
  let v = bytes;
  let u = 0;
  while (Math.abs(v) >= 1024 && u < BYTE_UNITS.length - 1) {
    v /= 1024;
    u++;
  }
  return u === 0 ? `${v} B` : `${v.toFixed(1)} ${BYTE_UNITS[u]}`;
}

/** 0.9123 → "91.2%" */
export function formatPercent(ratio: number | null | undefined, digits = 1): string {
  if (ratio === null || ratio === undefined || !Number.isFinite(ratio)) return '—';
  return `${(ratio * 100).toFixed(digits)}%`;
}

/** a relative change: +4.2% / −3.0% (true minus sign) */
export function formatSignedPercent(ratio: number | null | undefined, digits = 1): string {
  if (ratio === null || ratio === undefined || !Number.isFinite(ratio)) return '—';
  const s = `${Math.abs(ratio * 100).toFixed(digits)}%`;
  return ratio > 0 ? `+${s}` : ratio < 0 ? `−${s}` : `±${s}`;
}

export function formatNumber(n: number | null | undefined): string {
  if (n === null || n === undefined || !Number.isFinite(n)) return '—';
  if (n === 0) return '0';
  return Math.abs(n) < 1e-3 || Math.abs(n) >= 1e6 ? n.toExponential(2) : n.toPrecision(3);
}

/** A value in a metric's unit, as the API names units. */
export function formatValue(value: number | null | undefined, unit: string): string {
  switch (unit) {
    case 'ms':
      return formatMs(value);
    case 'bytes':
      return formatBytes(value);
    case 'ratio':
      return formatPercent(value);
    default:
      return formatNumber(value);
  }
}
