import type { PlotOptions } from '@observablehq/plot';
import * as Plot from '@observablehq/plot';
import { useEffect, useRef } from 'react';

/**
 * Renders an Observable Plot chart (SVG) into a div and replaces it when the options change.
 * `name` becomes data-chart on the wrapper so tests and the benchmark can find the chart.
 */
export function PlotFigure({ options, name, description }: { options: PlotOptions; name: string; description: string }) {
  const ref = useRef<HTMLDivElement>(null);
  useEffect(() => {
    const el = ref.current;
    if (!el) return;
    const chart = Plot.plot({ style: { fontSize: '12px', overflow: 'visible' }, ...options, ariaDescription: description });
    el.replaceChildren(chart);
    el.dataset.rendered = 'true';
    performance.mark(`chart:${name}`);
    return () => chart.remove();
  }, [options, name, description]);
  return <div ref={ref} className="chart" data-chart={name} role="figure" aria-label={description} />;
}
