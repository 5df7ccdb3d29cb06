import type { FeatureEvaluationDetail, FeatureEvaluationRow } from '@edgeproof/contracts';
import * as Plot from '@observablehq/plot';
import { useMemo } from 'react';
import { useSearchParams } from 'react-router';
import { useFeatureEvaluation, useFeatureEvaluations } from '../api/queries.ts';
import { PlotFigure } from '../components/PlotFigure.tsx';
import { QueryState } from '../components/States.tsx';
import { deviceLabel } from '../shaping/distributions.ts';
import { costCells, costCharts, experienceCells, timelineCaption, trackingCells, UNAVAILABLE, type Cell, type CostChart } from '../shaping/features.ts';

/** Feature evaluations: every replay's tracking, experience and cost figures; for the selected one its latency timeline and cost series. */
export function FeaturesPage() {
  const [search, setSearch] = useSearchParams();
  const features = useFeatureEvaluations();
  const selected = search.get('job') ?? features.data?.items[0]?.job ?? null;
  return (
    <section>
      <h1>Feature evaluations</h1>
      <QueryState
        query={features}
        what="feature evaluations"
        isEmpty={(d) => d.items.length === 0}
        empty="No feature evaluations yet. Once camera-feature runs report, their tracking metrics (MOTA, IDF1, …), per-frame latency and temperature/battery series appear here."
      >
        {(d) => (
          <>
            <FeatureTable rows={d.items} selected={selected} onSelect={(job) => setSearch({ job })} />
            {selected && <FeatureDetail job={selected} />}
          </>
        )}
      </QueryState>
    </section>
  );
}

const cellGroups = (r: FeatureEvaluationRow): Array<[string, Cell[]]> => [
  ['tracking', trackingCells(r)],
  ['experience', experienceCells(r)],
  ['cost', costCells(r)],
];

function FeatureTable({ rows, selected, onSelect }: { rows: FeatureEvaluationRow[]; selected: string | null; onSelect: (job: string) => void }) {
  const heads = rows[0] ? cellGroups(rows[0]) : [];
  return (
    <div className="scroll">
      <table data-testid="features-table">
        <thead>
          <tr>
            <th rowSpan={2}>feature</th>
            <th rowSpan={2}>scenario · device</th>
            {heads.map(([group, cells]) => (
              <th key={group} colSpan={cells.length}>
                {group}
              </th>
            ))}
          </tr>
          <tr>{heads.flatMap(([group, cells]) => cells.map((c) => <th key={`${group}-${c.label}`}>{c.label}</th>))}</tr>
        </thead>
        <tbody>
          {rows.map((r) => (
            <tr key={r.job} aria-selected={r.job === selected} className={r.job === selected ? 'selected' : undefined}>
              <td>
                <button type="button" className="link" onClick={() => onSelect(r.job)}>
                  {r.feature.name} {r.feature.version}
                </button>
                <div className="small">
                  {r.model} {r.version} · {new Date(r.measuredAt).toLocaleString()}
                </div>
              </td>
              <td className="small">
                {r.scenario.name} {r.scenario.version} ({r.scenario.width}x{r.scenario.height} @ {r.scenario.fps} fps{r.passComplete ? '' : ', pass cut short'})
                <div>{deviceLabel(r.device)}</div>
              </td>
              {cellGroups(r).flatMap(([group, cells]) =>
                cells.map((c) => (
                  <td key={`${group}-${c.label}`} title={c.title} className={c.value === UNAVAILABLE ? 'unavailable' : undefined}>
                    {c.value}
                  </td>
                )),
              )}
            </tr>
          ))}
        </tbody>
      </table>
    </div>
  );
}

function FeatureDetail({ job }: { job: string }) {
  const detail = useFeatureEvaluation(job);
  return (
    <QueryState query={detail} what="the replay's timeline">
      {(d) => (
        <>
          <h2>
            {d.row.feature.name} {d.row.feature.version} on {deviceLabel(d.row.device)}
          </h2>
          <LatencyTimeline detail={d} />
          <h3>Cost across the replay</h3>
          <p className="small">
            {d.costSeries.samples} samples every {Math.round(d.costSeries.sampleIntervalMs)} ms{d.costSeries.points.length < d.costSeries.samples ? `, averaged into ${d.costSeries.points.length} points` : ''}
          </p>
          <div className="chart-grid">
            {costCharts(d).map((c) => (
              <CostSeries key={c.key} chart={c} source={d.row.cost.sources} />
            ))}
          </div>
        </>
      )}
    </QueryState>
  );
}

function LatencyTimeline({ detail }: { detail: FeatureEvaluationDetail }) {
  const options = useMemo<Plot.PlotOptions>(() => {
    const points = detail.latencyTimeline.points;
    return {
      width: 960,
      height: 300,
      marginLeft: 60,
      x: { label: 'capture time since replay start (s) →', grid: true },
      y: { label: '↑ capture → result latency (ms)', grid: true, zero: true },
      marks: [
        Plot.areaY(points, { x: 'tS', y1: 'minMs', y2: 'maxMs', fill: '#0072B2', fillOpacity: 0.2 }),
        Plot.line(points, { x: 'tS', y: 'medianMs', stroke: '#0072B2' }),
        Plot.dot(points, { x: 'tS', y: 'medianMs', r: 1.5, fill: '#0072B2', title: (p: (typeof points)[number]) => `${p.tS.toFixed(2)} s: ${p.medianMs.toFixed(1)} ms (${p.frames} frame${p.frames === 1 ? '' : 's'})` }),
      ],
    };
  }, [detail]);
  return (
    <>
      <h3>Per-frame latency</h3>
      <p className="small">{timelineCaption(detail)}</p>
      <PlotFigure name="feature-latency" options={options} description="capture to result latency of each processed frame over the replay" />
    </>
  );
}

function CostSeries({ chart, source }: { chart: CostChart; source: Record<string, string> }) {
  const options = useMemo<Plot.PlotOptions>(
    () => ({
      width: 460,
      height: 200,
      marginLeft: 60,
      x: { label: 'time since replay start (s) →', grid: true },
      // from zero, except temperatures (a few degrees' rise must stay visible)
      y: { label: `↑ ${chart.unit}`, grid: true, zero: chart.key !== 'temperatureC' },
      marks: [Plot.line(chart.rows, { x: 'tS', y: 'value', stroke: '#D55E00' }), Plot.dot(chart.rows, { x: 'tS', y: 'value', r: 1.5, fill: '#D55E00' })],
    }),
    [chart],
  );
  const key = chart.key === 'temperatureC' ? 'thermal' : chart.key === 'batteryPercent' ? 'battery' : chart.key === 'cpuPercent' ? 'cpu' : 'memory';
  return (
    <figure className="cost-series">
      <figcaption>
        {chart.title} ({chart.unit}) <span className="small">— {source[key] ?? UNAVAILABLE}</span>
      </figcaption>
      {chart.available ? (
        <PlotFigure name={`feature-cost-${chart.key}`} options={options} description={`${chart.title} over the replay`} />
      ) : (
        <p className="state unavailable" data-unavailable={chart.key}>
          {UNAVAILABLE}: this device exposed no {chart.title} reading
        </p>
      )}
    </figure>
  );
}
