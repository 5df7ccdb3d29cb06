import type { TrendMetric } from '@edgeproof/contracts';
import * as Plot from '@observablehq/plot';
import { useMemo } from 'react';
import { useSearchParams } from 'react-router';
import { useModels, useTrends } from '../api/queries.ts';
import { PlotFigure } from '../components/PlotFigure.tsx';
import { QueryState } from '../components/States.tsx';
import { formatBytes, formatValue } from '../shaping/format.ts';
import { OKABE_ITO } from '../shaping/palette.ts';
import { approvedVersions, trendAxis, trendSeries, trendVersions } from '../shaping/trends.ts';

const METRICS: Array<[TrendMetric, string]> = [
  ['latency.p50', 'p50 latency'],
  ['latency.p90', 'p90 latency'],
  ['latency.p99', 'p99 latency'],
  ['latency.sessionCreate', 'session creation (init)'],
  ['latency.firstInference', 'first inference'],
  ['memory.peak', 'peak memory'],
  ['accuracy.top1', 'top-1 accuracy'],
  ['parity.maxAbsError', 'parity max abs error'],
];
const UNIT_LABEL: Record<string, string> = { ms: 'ms', bytes: 'bytes', ratio: '%', number: '' };

export function TrendsPage() {
  const [search, setSearch] = useSearchParams();
  const models = useModels();
  const model = search.get('model') ?? models.data?.items[0]?.name ?? '';
  const metric = (search.get('metric') ?? 'latency.p50') as TrendMetric;
  const groupBy = search.get('by') === 'tier' ? 'tier' : 'device';
  const trends = useTrends(model, metric);
  const set = (k: string, v: string) => setSearch({ model, metric, by: groupBy, [k]: v });
  const chart = useMemo(() => {
    if (!trends.data || trends.data.points.length === 0) return null;
    const t = trends.data;
    const rows = trendSeries(t, groupBy);
    const approved = approvedVersions(t);
    const axis = trendAxis(t);
    // the upload date when it tells versions apart; otherwise one category per version, in upload order
    const x = axis === 'time' ? 'uploadedAt' : 'version';
    const xScale: Plot.ScaleOptions =
      axis === 'time'
        ? { type: 'utc', label: 'version upload date (UTC) →', nice: true, inset: 20 }
        : { type: 'point', domain: t.versions.map((v) => v.version), label: 'version (upload order: upload dates too close to tell apart)', padding: 0.3 };
    const yTicks = t.unit === 'ratio' ? { tickFormat: '.1%' } : t.unit === 'bytes' ? { tickFormat: (b: number) => formatBytes(b) } : {};
    const options: Plot.PlotOptions = {
      width: 960,
      height: 440,
      marginLeft: 80,
      marginTop: 48,
      marginBottom: 50,
      x: xScale,
      y: { label: `↑ ${METRICS.find(([m]) => m === metric)?.[1] ?? metric}${UNIT_LABEL[t.unit] ? ` (${UNIT_LABEL[t.unit]})` : ''}`, grid: true, nice: true, ...yTicks },
      color: { type: 'ordinal', range: [...OKABE_ITO], legend: true },
      marks: [
        Plot.ruleX(approved, { x, stroke: '#009E73', strokeDasharray: '4,3', strokeOpacity: 0.6 }),
        Plot.text(approved, { x, frameAnchor: 'top', text: () => '★ approved', fill: '#00664a', dy: -26, title: 'label' }),
        ...(axis === 'time' ? [Plot.text(trendVersions(t), { x, frameAnchor: 'top', text: 'version', fill: '#555', dy: -10, title: (d) => `${d.version}, uploaded ${d.uploadedAt.toISOString()}` })] : []),
        Plot.line(rows, { x, y: 'value', stroke: 'series', marker: 'circle-stroke' }),
        Plot.dot(rows, { x, y: 'value', stroke: 'series', symbol: 'series', title: (d) => `${d.series}\n${d.version} (uploaded ${d.uploadedAt.toISOString().slice(0, 16).replace('T', ' ')} UTC): ${formatValue(d.value, t.unit)}` }),
      ],
    };
    return { options, axis };
  }, [trends.data, groupBy, metric]);
  return (
    <section>
      <h1>Trends</h1>
      <p className="inline">
        <label>
          model
          <select value={model} onChange={(e) => set('model', e.target.value)}>
            {models.data?.items.map((m) => (
              <option key={m.name}>{m.name}</option>
            ))}
          </select>
        </label>
        <label>
          metric
          <select value={metric} onChange={(e) => set('metric', e.target.value)}>
            {METRICS.map(([m, label]) => (
              <option key={m} value={m}>
                {label}
              </option>
            ))}
          </select>
        </label>
        <label>
          per
          <select value={groupBy} onChange={(e) => set('by', e.target.value)}>
            <option value="device">device</option>
            <option value="tier">tier (median of its devices)</option>
          </select>
        </label>
      </p>
      {model === '' ? (
        <QueryState query={models} what="models" isEmpty={(d) => d.items.length === 0} empty="No models yet.">
          {() => null}
        </QueryState>
      ) : (
        <QueryState query={trends} what="trends" isEmpty={(d) => d.points.length === 0} empty="No measurements of this metric for this model yet.">
          {() =>
            chart && (
              <div data-axis={chart.axis}>
                <PlotFigure name="trend" options={chart.options} description={`${metric} across versions of ${model}, by ${chart.axis === 'time' ? 'upload date' : 'upload order'}`} />
              </div>
            )
          }
        </QueryState>
      )}
    </section>
  );
}
