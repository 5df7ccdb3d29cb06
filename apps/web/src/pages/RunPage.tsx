import { Link, useParams } from 'react-router';
import { useRunProgress } from '../api/queries.ts';
import { OpProfileTable } from '../components/OpProfileTable.tsx';
import { QueryState } from '../components/States.tsx';
import { deviceLabel } from '../shaping/distributions.ts';
import { formatValue } from '../shaping/format.ts';

const STATUS_SYMBOL = { queued: '…', running: '▶', succeeded: '✓', failed: '✗', cancelled: '⊘' } as const;

export function RunPage() {
  const { id = '' } = useParams();
  const run = useRunProgress(id);
  return (
    <section>
      <h1>Run</h1>
      <QueryState query={run} what="the run">
        {({ run: r, jobs }) => (
          <>
            <p>
              <Link to={`/models/${encodeURIComponent(r.model)}/versions/${encodeURIComponent(r.version)}?run=${r.id}`}>
                {r.model} {r.version}
              </Link>
              {r.baseline ? ` vs ${r.baseline}` : ''} · requested by {r.requestedBy} · <strong data-testid="run-status">{r.status}</strong>
              {run.isFetching && <span className="muted"> · refreshing</span>}
            </p>
            <p>
              <progress max={r.progress.total} value={r.progress.succeeded + r.progress.failed + r.progress.cancelled} /> {r.progress.succeeded} done, {r.progress.failed} failed, {r.progress.running} running,{' '}
              {r.progress.queued} queued{r.progress.cancelled ? `, ${r.progress.cancelled} cancelled` : ''} of {r.progress.total}
            </p>
            <table data-testid="run-jobs">
              <thead>
                <tr>
                  <th>device</th>
                  <th>benchmark</th>
                  <th>version</th>
                  <th>status</th>
                  <th>result</th>
                  <th>started</th>
                  <th>finished</th>
                </tr>
              </thead>
              <tbody>
                {jobs.map((j) => (
                  <tr key={j.id} data-status={j.status}>
                    <td>{deviceLabel(j.device)}</td>
                    <td>{j.benchmark}</td>
                    <td>
                      {j.version} <span className="muted">({j.role})</span>
                    </td>
                    <td>
                      {STATUS_SYMBOL[j.status]} {j.status}
                      {j.status === 'running' ? ` on ${j.device.localKey}` : ''}
                      {j.attempts > 1 ? ` · attempt ${j.attempts}` : ''}
                      {j.reroutes > 0 ? ` · re-routed ${j.reroutes}×` : ''}
                      {j.error && <div className={j.status === 'failed' ? 'state error' : 'muted'}>{j.error}</div>}
                    </td>
                    <td>{j.headline ? `${j.headline.label} ${formatValue(j.headline.value, j.headline.unit)}` : '—'}</td>
                    <td>{j.startedAt ? new Date(j.startedAt).toLocaleTimeString() : '—'}</td>
                    <td>{j.finishedAt ? new Date(j.finishedAt).toLocaleTimeString() : '—'}</td>
                  </tr>
                ))}
              </tbody>
            </table>
            {jobs
              .filter((j) => j.opProfile)
              .map((j) => (
                <details key={`op-${j.id}`}>
                  <summary>
                    Op profile · {deviceLabel(j.device)} · {j.version} <span className="muted">({j.role})</span>
                  </summary>
                  {j.opProfile && <OpProfileTable profile={j.opProfile} />}
                </details>
              ))}
          </>
        )}
      </QueryState>
    </section>
  );
}
