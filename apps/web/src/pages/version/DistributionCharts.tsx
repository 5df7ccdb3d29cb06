import * as Plot from '@observablehq/plot';
import { useMemo } from 'react';
import { useDistributions } from '../../api/queries.ts';
import { PlotFigure } from '../../components/PlotFigure.tsx';
import { QueryState } from '../../components/States.tsx';
import { boxRows, histogramRects, outsideShare, type BoxRow } from '../../shaping/distributions.ts';
import { formatMs, formatPercent } from '../../shaping/format.ts';
import { ROLE_COLOURS } from '../../shaping/palette.ts';

const roleColour = { domain: ['candidate', 'baseline'], range: [ROLE_COLOURS.candidate, ROLE_COLOURS.baseline], legend: true } as const;
const tip = (d: BoxRow) => `${d.device}\n${d.role} ${d.version}, ${d.count} samples\np5 ${formatMs(d.p5)} · p25 ${formatMs(d.p25)} · p50 ${formatMs(d.p50)} · p75 ${formatMs(d.p75)} · p95 ${formatMs(d.p95)} · p99 ${formatMs(d.p99)}`;

/** Box plots per device (from quantiles the API computed) and histograms over shared bins: no raw samples travel. */
export function DistributionCharts({ model, version, run }: { model: string; version: string; run: string | null }) {
  const dist = useDistributions(model, version, run);
  const charts = useMemo(() => {
    if (!dist.data || dist.data.items.length === 0) return null;
    const rows = boxRows(dist.data);
    const devices = [...new Set(rows.map((r) => r.device))];
    const roles = [...new Set(rows.map((r) => r.role))];
    const rowHeight = roles.length === 2 ? 34 : 22;
    const box: Plot.PlotOptions = {
      width: 960,
      height: 50 + devices.length * rowHeight,
      marginLeft: 300,
      x: { label: 'latency per inference (ms) — whiskers p5–p95, box p25–p75, tick median, × p99', grid: true, nice: true },
      y: { axis: null, domain: roles },
      fy: { label: null, domain: devices },
      color: roleColour,
      marks: [
        Plot.ruleY(rows, { fy: 'device', y: 'role', x1: 'p5', x2: 'p95', stroke: 'role' }),
        Plot.barX(rows, { fy: 'device', y: 'role', x1: 'p25', x2: 'p75', fill: 'role', fillOpacity: 0.35, stroke: 'role', title: tip }),
        Plot.tickX(rows, { fy: 'device', y: 'role', x: 'p50', stroke: 'role', strokeWidth: 2.5 }),
        Plot.dot(rows, { fy: 'device', y: 'role', x: 'p99', stroke: 'role', symbol: 'times', r: 3 }),
      ],
    };
    const rects = histogramRects(dist.data);
    const histogram: Plot.PlotOptions = {
      width: 960,
      height: 30 + devices.length * 70,
      marginLeft: 300,
      x: { label: 'latency per inference (ms)', grid: true },
      y: { label: 'share of samples', tickFormat: '%', ticks: 2 },
      fy: { label: null, domain: devices },
      color: roleColour,
      marks: [
        Plot.rectY(rects, { x1: 'x1', x2: 'x2', y: 'share', fy: 'device', fill: 'role', fillOpacity: 0.55, inset: 0.5 }),
        Plot.ruleY([0]),
      ],
    };
    return { box, histogram, outside: outsideShare(dist.data), count: devices.length };
  }, [dist.data]);
  return (
    <>
      <h2>Latency distribution per device</h2>
      <QueryState query={dist} what="latency distributions" isEmpty={(d) => d.items.length === 0} empty="No latency results for this version yet.">
        {() =>
          charts && (
            <>
              <PlotFigure name="latency-box" options={charts.box} description={`Latency box plots for ${charts.count} devices`} />
              <details>
                <summary>Histograms (shared bins; {formatPercent(charts.outside, 2)} of samples lie beyond the 0.5th/99.5th percentile edges and are not drawn)</summary>
                <PlotFigure name="latency-histogram" options={charts.histogram} description="Latency histograms per device" />
              </details>
            </>
          )
        }
      </QueryState>
    </>
  );
}
