import type { VersionPage } from '@edgeproof/contracts';
import { deviceLabel } from '../../shaping/distributions.ts';
import { formatBytes, formatMs, formatNumber, formatPercent } from '../../shaping/format.ts';

/**
 * The run's versions and runtimes side by side per device: shown when a device measured more than
 * one (another form of the model, settings.runtimes, or an interleaved baseline).
 */
export function RuntimesTable({ page }: { page: VersionPage }) {
  const perDevice = new Map<string, number>();
  for (const r of page.runtimes) perDevice.set(r.device.id, (perDevice.get(r.device.id) ?? 0) + 1);
  if (![...perDevice.values()].some((n) => n > 1)) return null;
  return (
    <>
      <h2>Runtimes side by side</h2>
      <p className="muted">Each row is one model file on one runtime of one device, from the same run. Output agreement: largest absolute difference from the parity reference named in the row.</p>
      <div className="scroll">
        <table data-testid="runtimes-table">
          <thead>
            <tr>
              <th>device</th>
              <th>version</th>
              <th>runtime</th>
              <th>p50</th>
              <th>p99</th>
              <th>init</th>
              <th>peak memory</th>
              <th>size</th>
              <th>gzip</th>
              <th>top-1</th>
              <th>max |Δ| vs reference</th>
            </tr>
          </thead>
          <tbody>
            {page.runtimes.map((r) => (
              <tr key={`${r.device.id}/${r.version}/${r.runtime}`} data-testid="runtime-row">
                <td>{deviceLabel({ ...r.device, maker: null })}</td>
                <td>
                  {r.version} <span className="muted">{r.format}{r.role === 'candidate' ? '' : ` · ${r.role}`}</span>
                </td>
                <td className="mono">
                  {r.runtime}
                  {r.runtimeVersion ? ` ${r.runtimeVersion}` : ''}
                </td>
                <td>
                  {formatMs(r.latency?.p50)}
                  {r.latency?.contended ? <div className="state error" title={r.latency.contended}>contended</div> : null}
                </td>
                <td>{formatMs(r.latency?.p99)}</td>
                <td>{formatMs(r.latency?.sessionCreateMs)}</td>
                <td>{formatBytes(r.peakMemoryBytes)}</td>
                <td>{formatBytes(r.sizeBytes)}</td>
                <td>{formatBytes(r.gzipSizeBytes)}</td>
                <td>{r.accuracy ? formatPercent(r.accuracy.top1) : '—'}</td>
                <td title={r.parity?.reference}>{r.parity ? formatNumber(r.parity.maxAbsError) : r.failures.length ? `failed: ${r.failures.map((f) => f.benchmark).join(', ')}` : '—'}</td>
              </tr>
            ))}
          </tbody>
        </table>
      </div>
    </>
  );
}
