import type { DashDeviceRow } from '@edgeproof/contracts';
import * as Plot from '@observablehq/plot';
import { useMutation, useQueryClient } from '@tanstack/react-query';
import { useMemo } from 'react';
import { Link } from 'react-router';
import { api } from '../api/client.ts';
import { useDevices } from '../api/queries.ts';
import { useSession } from '../api/session.tsx';
import { PlotFigure } from '../components/PlotFigure.tsx';
import { QueryState } from '../components/States.tsx';
import { deviceLabel } from '../shaping/distributions.ts';
import { formatPercent } from '../shaping/format.ts';
import { utilisationCells } from '../shaping/utilisation.ts';

const STATUS_SYMBOL: Record<DashDeviceRow['status'], string> = { idle: '○', busy: '▶', offline: '⨯', unhealthy: '!', quarantined: '⛔' };

function QuarantineButton({ row }: { row: DashDeviceRow }) {
  const client = useQueryClient();
  const action = useMutation({
    mutationFn: async () => {
      if (row.status === 'quarantined') return api(`/v1/devices/${row.device.id}/release`, { method: 'POST' });
      const reason = window.prompt(`Why take ${row.device.localKey} out of service?`);
      if (!reason) return null;
      return api(`/v1/devices/${row.device.id}/quarantine`, { method: 'POST', body: { reason } });
    },
    onSuccess: () => client.invalidateQueries({ queryKey: ['devices'] }),
  });
  return (
    <>
      <button onClick={() => action.mutate()} disabled={action.isPending}>
        {row.status === 'quarantined' ? 'Release' : 'Quarantine'}
      </button>
      {action.error && <div className="state error">{action.error.message}</div>}
    </>
  );
}

export function DevicesPage() {
  const devices = useDevices();
  const session = useSession();
  const isAdmin = session.can();
  const chart = useMemo(() => {
    if (!devices.data || devices.data.items.length === 0) return null;
    const cells = utilisationCells(devices.data.items);
    const options: Plot.PlotOptions = {
      width: 960,
      height: 40 + devices.data.items.length * 22,
      marginLeft: 300,
      x: { label: 'hours before now', tickFormat: (h: number) => (h % 3 === 0 ? `${h} h` : '') },
      y: { label: null },
      color: { type: 'linear', scheme: 'blues', domain: [0, 1], legend: true, label: 'busy share of the hour', tickFormat: '%' },
      marks: [Plot.cell(cells, { x: 'hour', y: 'device', fill: 'share', inset: 0.5, title: (d) => `${d.device}\n${-d.hour}h ago: ${formatPercent(d.share, 0)} busy` })],
    };
    return options;
  }, [devices.data]);
  return (
    <section>
      <h1>Devices</h1>
      <QueryState query={devices} what="devices" isEmpty={(d) => d.items.length === 0} empty="No devices registered: start an agent (apps/agent).">
        {(d) => (
          <>
            <table data-testid="devices-table">
              <thead>
                <tr>
                  <th>device</th>
                  <th>agent</th>
                  <th>status</th>
                  <th>health</th>
                  <th>current job</th>
                  <th>temperature</th>
                  <th>battery</th>
                  <th>busy (24 h)</th>
                  <th>last heartbeat</th>
                  {isAdmin && <th />}
                </tr>
              </thead>
              <tbody>
                {d.items.map((r) => (
                  <tr key={r.device.id} data-device={r.device.localKey} data-status={r.status}>
                    <td>{deviceLabel(r.device)}</td>
                    <td>{r.agent}</td>
                    <td>
                      {STATUS_SYMBOL[r.status]} {r.status}
                      {r.statusReason && <div className="muted">{r.statusReason}</div>}
                    </td>
                    <td>{r.consecutiveHealthFailures === 0 ? 'healthy' : `${r.consecutiveHealthFailures} failed checks in a row`}</td>
                    <td>{r.currentJob ? <Link to={`/runs/${r.currentJob.run}`}>{`${r.currentJob.model} ${r.currentJob.version} · ${r.currentJob.benchmark}`}</Link> : '—'}</td>
                    <td>{r.temperatureC === null ? <span className="muted">not exposed</span> : `${r.temperatureC.toFixed(1)} °C`}</td>
                    <td>{r.battery === null ? <span className="muted">not exposed</span> : formatPercent(r.battery, 0)}</td>
                    <td>{formatPercent(r.utilisation.day, 1)}</td>
                    <td>{new Date(r.lastHeartbeatAt).toLocaleString()}</td>
                    {isAdmin && (
                      <td>
                        <QuarantineButton row={r} />
                      </td>
                    )}
                  </tr>
                ))}
              </tbody>
            </table>
            <h2>Utilisation over the last day</h2>
            {chart && <PlotFigure name="utilisation" options={chart} description="Hourly busy share per device over the last 24 hours" />}
          </>
        )}
      </QueryState>
    </section>
  );
}
