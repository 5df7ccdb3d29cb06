import { Link } from 'react-router';
import { useModels } from '../api/queries.ts';
import { ApprovalBadges, VerdictBadge } from '../components/Badges.tsx';
import { QueryState } from '../components/States.tsx';

export function ModelsPage() {
  const models = useModels();
  return (
    <section>
      <h1>Models</h1>
      <QueryState query={models} what="models" isEmpty={(d) => d.items.length === 0} empty="No models yet: upload one with the CLI or POST /v1/models.">
        {(data) => (
          <table data-testid="models-table">
            <thead>
              <tr>
                <th>model</th>
                <th>task</th>
                <th>owner</th>
                <th>latest version</th>
                <th>approved (active)</th>
                <th>last verdict</th>
                <th />
              </tr>
            </thead>
            <tbody>
              {data.items.map((m) => (
                <tr key={m.name} data-model={m.name}>
                  <td>{m.name}</td>
                  <td>{m.taskKind}</td>
                  <td>{m.owner}</td>
                  <td>
                    {m.latestVersion ? <Link to={`/models/${encodeURIComponent(m.name)}/versions/${encodeURIComponent(m.latestVersion)}`}>{m.latestVersion}</Link> : '—'}
                    <span className="muted"> ({m.versions} version{m.versions === 1 ? '' : 's'})</span>
                  </td>
                  <td>
                    <ApprovalBadges approvals={m.approvals} />
                  </td>
                  <td>
                    {m.lastVerdict ? (
                      <>
                        <VerdictBadge verdict={m.lastVerdict.verdict} /> <span className="muted">{m.lastVerdict.version} · {m.lastVerdict.policyName}</span>
                      </>
                    ) : (
                      <span className="muted">no gate yet</span>
                    )}
                  </td>
                  <td>
                    <Link to={`/trends?model=${encodeURIComponent(m.name)}`}>trends</Link>
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
