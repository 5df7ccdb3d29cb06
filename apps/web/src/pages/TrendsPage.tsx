import type { TrendMetric } from '@edgeproof/contracts';
import * as Plot from '@observablehq/plot';
import { useMemo } from 'react';
import { useSearchParams } from 'react-router';
import { useModels, useTrends } from '../api/queries.ts';
import { PlotFigure } from '../components/PlotFigure.tsx';
import { QueryState } from '../components/States.tsx';
import { formatValue } from '../shaping/format.ts';
import { OKABE_ITO } from '../shaping/palette.ts';
import { approvedVersions, trendSeries } from '../shaping/trends.ts';

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
    const versions = t.versions.map((v) => v.version);
    const options: Plot.PlotOptions = {
      width: 960,
      height: 420,
      marginLeft: 70,
      marginBottom: 50,
      x: { type: 'point', domain: versions, label: 'version (upload order) — ★ approved', padding: 0.3 },
      y: { label: `${METRICS.find(([m]) => m === metric)?.[1] ?? metric}${UNIT_LABEL[t.unit] ? ` (${UNIT_LABEL[t.unit]})` : ''}`, grid: true, ...(t.unit === 'ratio' ? { tickFormat: '.1%' } : {}) },
      color: { type: 'ordinal', range: [...OKABE_ITO], legend: true },
      marks: [
        Plot.ruleX(approved, { x: 'version', stroke: '#009E73', strokeDasharray: '4,3', strokeOpacity: 0.6 }),
        Plot.text(approved, { x: 'version', frameAnchor: 'top', text: () => '★ approved', fill: '#009E73', dy: -4, title: 'label' }),
        Plot.line(rows, { x: 'version', y: 'value', stroke: 'series', marker: 'circle-stroke' }),
        Plot.dot(rows, { x: 'version', y: 'value', stroke: 'series', symbol: 'series', title: (d) => `${d.series}\n${d.version}: ${formatValue(d.value, t.unit)}` }),
      ],
    };
    return options;
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
          {() => chart && <PlotFigure name="trend" options={chart} description={`${metric} across versions of ${model}`} />}
        </QueryState>
      )}
    </section>
  );
}
