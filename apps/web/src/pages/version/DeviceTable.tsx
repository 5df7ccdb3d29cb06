import type { VersionFigures, VersionPage } from '@edgeproof/contracts';
import { deviceLabel } from '../../shaping/distributions.ts';
import { formatBytes, formatMs, formatNumber, formatPercent } from '../../shaping/format.ts';

function Cells({ f }: { f: VersionFigures }) {
  return (
    <>
      <td>{formatMs(f.latency?.p50)}</td>
      <td>{formatMs(f.latency?.p90)}</td>
      <td>{formatMs(f.latency?.p99)}</td>
      <td>{formatMs(f.latency?.sessionCreateMs)}</td>
      <td>{formatMs(f.latency?.firstInferenceMs)}</td>
      <td>{f.accuracy ? `${formatPercent(f.accuracy.top1)} / ${formatPercent(f.accuracy.top5)}` : '—'}</td>
      <td>{f.parity ? formatNumber(f.parity.maxAbsError) : '—'}</td>
      <td>{formatBytes(f.latency?.peakMemoryBytes)}</td>
      <td>
        {f.latency ? `${f.latency.count} · ${f.latency.thermalState}` : '—'}
        {f.latency?.contended ? (
          <div className="state error" data-testid="contended" title={f.latency.contended}>
            contended: gates inconclusive
          </div>
        ) : null}
      </td>
    </>
  );
}

export function DeviceTable({ page }: { page: VersionPage }) {
  if (page.devices.length === 0) return page.run ? <p className="state empty">No device has reported on this run yet.</p> : null;
  const withBaseline = page.devices.some((d) => d.baseline);
  return (
    <>
      <h2>Per device</h2>
      <p className="muted">
        Latency: wall time of one inference as reported by the device's runtime (ms); init = session creation; first = first inference after it. Model file: {formatBytes(page.version.sizeBytes)}, gzip {formatBytes(page.version.gzipSizeBytes)}.
      </p>
      <div className="scroll">
        <table data-testid="device-table">
          <thead>
            <tr>
              <th>device</th>
              {withBaseline && <th>version</th>}
              <th>p50</th>
              <th>p90</th>
              <th>p99</th>
              <th>init</th>
              <th>first inference</th>
              <th>accuracy top-1 / top-5</th>
              <th>parity max abs err</th>
              <th>peak memory</th>
              <th>samples · thermal</th>
            </tr>
          </thead>
          <tbody>
            {page.devices.flatMap((d) => {
              const rows = [
                <tr key={`${d.device.id}-c`} data-device={d.device.localKey}>
                  <td rowSpan={d.baseline ? 2 : 1}>
                    {deviceLabel(d.device)}
                    {[...d.candidate.failures, ...(d.baseline?.failures ?? [])].map((f, i) => (
                      <div key={i} className="state error">
                        {f.benchmark} failed: {f.error}
                      </div>
                    ))}
                  </td>
                  {withBaseline && <td>{page.version.version}</td>}
                  <Cells f={d.candidate} />
                </tr>,
              ];
              if (d.baseline) {
                rows.push(
                  <tr key={`${d.device.id}-b`} className="baseline-row">
                    <td>{page.run?.baseline} (baseline)</td>
                    <Cells f={d.baseline} />
                  </tr>,
                );
              }
              return rows;
            })}
          </tbody>
        </table>
      </div>
    </>
  );
}
