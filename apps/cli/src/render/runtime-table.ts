import type { RuntimeRow } from '@edgeproof/contracts';
import Table from 'cli-table3';

const ms = (v: number) => (v >= 100 ? v.toFixed(0) : Number(v.toPrecision(3)).toString());
const kib = (b: number) => `${(b / 1024).toFixed(1)} KiB`;

/** Several forms or runtimes of one model per device, one column per measured figure. */
export function renderRuntimeTable(rows: readonly RuntimeRow[]): string {
  const table = new Table({ head: ['device', 'version', 'runtime', 'p50 ms', 'p99 ms', 'init ms', 'peak mem', 'size', 'gzip', 'top-1', 'max |Δ| vs reference'] });
  for (const r of rows) {
    const l = r.latency;
    table.push([
      `${r.device.localKey} (${r.device.platform}, ${r.device.tier})`,
      `${r.version} ${r.format}${r.role === 'candidate' ? '' : ` (${r.role})`}`,
      `${r.runtime}${r.runtimeVersion ? ` ${r.runtimeVersion}` : ''}`,
      l ? `${ms(l.p50)}${l.contended ? ' CONTENDED' : ''}${l.interleaved ? ' (A/B)' : ''}` : '–',
      l ? ms(l.p99) : '–',
      l ? ms(l.sessionCreateMs) : '–',
      r.peakMemoryBytes === null ? 'n/a' : `${(r.peakMemoryBytes / 2 ** 20).toFixed(0)} MiB`,
      kib(r.sizeBytes),
      kib(r.gzipSizeBytes),
      r.accuracy ? `${(r.accuracy.top1 * 100).toFixed(2)}%` : '–',
      r.parity ? r.parity.maxAbsError.toExponential(2) : r.failures.length ? `failed: ${r.failures.map((f) => f.benchmark).join(', ')}` : '–',
    ]);
  }
  return table.toString();
}
