import type { OpProfile } from '@edgeproof/contracts';
import { formatMs, opProfileView } from '../shaping/index.ts';

const pct = (p: number | null) => (p === null ? '—' : `${p.toFixed(1)}%`);

/** A latency job's per-operator profile (TFLite benchmark_model --enable_op_profiling): node types, then the slowest nodes. */
export function OpProfileTable({ profile }: { profile: OpProfile }) {
  const v = opProfileView(profile);
  return (
    <div data-testid="op-profile">
      <p className="muted">
        {profile.source}
        {v.runs !== null ? `, averaged over ${v.runs} runs` : ''}
      </p>
      <table>
        <thead>
          <tr>
            <th>node type</th>
            <th>nodes</th>
            <th>avg per run</th>
            <th>share</th>
          </tr>
        </thead>
        <tbody>
          {v.byNodeType.map((t) => (
            <tr key={t.nodeType}>
              <td>{t.nodeType}</td>
              <td>{t.count}</td>
              <td>{formatMs(t.avgMs)}</td>
              <td>{pct(t.percent)}</td>
            </tr>
          ))}
        </tbody>
      </table>
      <table>
        <thead>
          <tr>
            <th>slowest nodes</th>
            <th>type</th>
            <th>avg</th>
            <th>calls per run</th>
            <th>share</th>
          </tr>
        </thead>
        <tbody>
          {v.slowest.map((r, i) => (
            <tr key={`${r.name}#${i}`}>
              <td>{r.name}</td>
              <td>{r.nodeType}</td>
              <td>{formatMs(r.avgMs)}</td>
              <td>{r.timesCalled || '—'}</td>
              <td>{pct(r.percent)}</td>
            </tr>
          ))}
        </tbody>
      </table>
      {v.hidden > 0 && <p className="muted">{v.hidden} more nodes not shown</p>}
    </div>
  );
}
