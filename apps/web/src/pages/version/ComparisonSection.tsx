import * as Plot from '@observablehq/plot';
import { useMemo } from 'react';
import { useComparison } from '../../api/queries.ts';
import { PlotFigure } from '../../components/PlotFigure.tsx';
import { QueryState } from '../../components/States.tsx';
import { assessDelta, latencyCiRows } from '../../shaping/deltas.ts';
import { deviceLabel } from '../../shaping/distributions.ts';
import { formatSignedPercent, formatValue } from '../../shaping/format.ts';

const ASSESSMENT = {
  domain: ['better', 'worse', 'unclear', 'no-change', 'unknown'],
  range: ['#009E73', '#D55E00', '#6b6b6b', '#6b6b6b', '#9a9a9a'],
};
const SYMBOL = { domain: ASSESSMENT.domain, range: ['circle', 'triangle', 'diamond', 'square', 'square'] };

export function ComparisonSection({ model, version, run }: { model: string; version: string; run: string | null }) {
  const cmp = useComparison(model, version, run);
  const chart = useMemo(() => {
    if (!cmp.data) return null;
    const rows = latencyCiRows(cmp.data);
    if (rows.length === 0) return null;
    const options: Plot.PlotOptions = {
      width: 960,
      height: 50 + rows.length * 24,
      marginLeft: 300,
      x: { label: 'median latency change vs baseline (95% bootstrap interval)', tickFormat: '+.0%', grid: true },
      y: { label: null },
      color: { ...ASSESSMENT, legend: true },
      symbol: SYMBOL,
      marks: [
        Plot.ruleX([0]),
        Plot.ruleY(rows, { y: 'device', x1: 'lower', x2: 'upper', stroke: 'assessment', strokeWidth: 2 }),
        Plot.dot(rows, { y: 'device', x: 'relative', fill: 'assessment', symbol: 'assessment', r: 4, title: (d) => `${formatSignedPercent(d.relative)} [${formatSignedPercent(d.lower)}, ${formatSignedPercent(d.upper)}]` }),
      ],
    };
    return options;
  }, [cmp.data]);
  return (
    <>
      <h2>Candidate vs baseline</h2>
      <QueryState query={cmp} what="the comparison">
        {(c) => (
          <>
            <p className="muted">
              {c.candidate} against {c.baseline ?? '—'}, measured interleaved on the same devices. A change counts as better or worse only when its interval excludes zero.
            </p>
            {chart && <PlotFigure name="latency-delta" options={chart} description="Median latency change per device with confidence intervals" />}
            <div className="scroll">
              <table data-testid="comparison-table">
                <thead>
                  <tr>
                    <th>device</th>
                    <th>metric</th>
                    <th>candidate</th>
                    <th>baseline</th>
                    <th>delta</th>
                    <th>change</th>
                    <th>interval</th>
                  </tr>
                </thead>
                <tbody>
                  {[...c.model.map((m) => ({ where: 'model file', m })), ...c.devices.flatMap((d) => d.metrics.map((m) => ({ where: deviceLabel(d.device), m })))]
                    .filter(({ m }) => m.candidate !== null || m.baseline !== null)
                    .map(({ where, m }, i) => (
                      <tr key={i} data-assessment={assessDelta(m)}>
                        <td>{where}</td>
                        <td>{m.metric}</td>
                        <td>{formatValue(m.candidate, m.unit)}</td>
                        <td>{formatValue(m.baseline, m.unit)}</td>
                        <td>{m.delta === null ? '—' : `${m.delta > 0 ? '+' : m.delta < 0 ? '−' : ''}${formatValue(Math.abs(m.delta), m.unit)}`}</td>
                        <td className={`delta ${assessDelta(m)}`}>
                          {formatSignedPercent(m.relative)} <span className="muted">{assessDelta(m)}</span>
                        </td>
                        <td>{m.ci ? `[${formatSignedPercent(m.ci.lower)}, ${formatSignedPercent(m.ci.upper)}] at ${Math.round(m.ci.confidence * 100)}%` : '—'}</td>
                      </tr>
                    ))}
                </tbody>
              </table>
            </div>
          </>
        )}
      </QueryState>
    </>
  );
}
