import { useApprovals } from '../api/queries.ts';
import { useSession } from '../api/session.tsx';
import { RevokeApproval } from '../components/RevokeApproval.tsx';
import { QueryState } from '../components/States.tsx';
import { scopeLabel } from '../shaping/badges.ts';

export function ApprovalsPage() {
  const approvals = useApprovals(null);
  // the API lets admin and ml_engineer revoke (POST /v1/approvals/:id/revoke)
  const mayRevoke = useSession().can('ml_engineer');
  return (
    <section>
      <h1>Approvals</h1>
      <QueryState query={approvals} what="approvals">
        {(d) => (
          <>
            <h2>What is approved</h2>
            {d.approvals.length === 0 ? (
              <p className="state empty">Nothing approved yet.</p>
            ) : (
              <table data-testid="approvals-table">
                <thead>
                  <tr>
                    <th>model</th>
                    <th>version</th>
                    <th>scope</th>
                    <th>channel</th>
                    <th>kind</th>
                    <th>state</th>
                    <th>by</th>
                    <th>when</th>
                    <th>reason</th>
                    {mayRevoke && <th>action</th>}
                  </tr>
                </thead>
                <tbody>
                  {d.approvals.map((a) => (
                    <tr key={a.id} data-approval={a.id} data-state={a.state} className={a.state === 'active' ? '' : 'muted'}>
                      <td>{a.model}</td>
                      <td>{a.version}</td>
                      <td>{scopeLabel(a.platform, a.tier)}</td>
                      <td>{a.channel}</td>
                      <td>{a.kind}</td>
                      <td>{a.state === 'active' ? '✓ active' : a.state}</td>
                      <td>
                        {a.approvedBy} ({a.approvedByRole})
                      </td>
                      <td>{new Date(a.createdAt).toLocaleString()}</td>
                      <td>{a.revokeReason ? `revoked by ${a.revokedBy}: ${a.revokeReason}` : a.reason}</td>
                      {mayRevoke && <td>{a.state === 'active' && <RevokeApproval approval={a} />}</td>}
                    </tr>
                  ))}
                </tbody>
              </table>
            )}
            <h2>Audit history</h2>
            {d.audit.length === 0 ? (
              <p className="state empty">No approvals, overrides or revocations recorded yet.</p>
            ) : (
              <table data-testid="audit-table">
                <thead>
                  <tr>
                    <th>when</th>
                    <th>action</th>
                    <th>model</th>
                    <th>who</th>
                    <th>why</th>
                    <th>evidence</th>
                  </tr>
                </thead>
                <tbody>
                  {d.audit.map((e) => (
                    <tr key={e.id}>
                      <td>{new Date(e.createdAt).toLocaleString()}</td>
                      <td>{e.action}</td>
                      <td>
                        {e.model} {e.version}
                      </td>
                      <td>
                        {e.actor} ({e.actorRole})
                      </td>
                      <td>{e.reason ?? '—'}</td>
                      <td className="mono small">{JSON.stringify(e.evidence)}</td>
                    </tr>
                  ))}
                </tbody>
              </table>
            )}
          </>
        )}
      </QueryState>
    </section>
  );
}
