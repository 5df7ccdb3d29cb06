import { useFeatureEvaluations } from '../api/queries.ts';
import { QueryState } from '../components/States.tsx';
import { deviceLabel } from '../shaping/distributions.ts';
import { formatNumber } from '../shaping/format.ts';

/**
 * Feature evaluations (camera features replayed on devices) are being added to the platform; until
 * their result kind lands this page lists whatever non-model results exist with every numeric field.
 */
export function FeaturesPage() {
  const features = useFeatureEvaluations();
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
          <table data-testid="features-table">
            <thead>
              <tr>
                <th>feature</th>
                <th>device</th>
                <th>kind</th>
                <th>measured</th>
                <th>metrics</th>
              </tr>
            </thead>
            <tbody>
              {d.items.map((f, i) => (
                <tr key={i}>
                  <td>
                    {f.model} {f.version}
                  </td>
                  <td>{deviceLabel(f.device)}</td>
                  <td>{f.kind}</td>
                  <td>{new Date(f.measuredAt).toLocaleString()}</td>
                  <td className="small">
                    {Object.entries(f.metrics)
                      .map(([k, v]) => `${k}: ${formatNumber(v)}`)
                      .join(' · ')}
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        )}
      </QueryState>
    </section>
  );
}
