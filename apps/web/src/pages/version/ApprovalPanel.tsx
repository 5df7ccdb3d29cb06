import type { ApprovalOut, VersionPage } from '@edgeproof/contracts';
import { useMutation, useQueryClient } from '@tanstack/react-query';
import { useState, type FormEvent } from 'react';
import { api } from '../../api/client.ts';
import { useSession } from '../../api/session.tsx';
import { scopeLabel } from '../../shaping/badges.ts';

/**
 * This version's approvals, and the approve form for the roles the API lets approve
 * (ml_engineer with a passing gate; admin always, as an override when the gate did not pass).
 */
export function ApprovalPanel({ page }: { page: VersionPage }) {
  const session = useSession();
  const client = useQueryClient();
  const [platform, setPlatform] = useState('*');
  const [tier, setTier] = useState('*');
  const [channel, setChannel] = useState('production');
  const [reason, setReason] = useState('');
  const passed = page.gate?.status === 'done' && page.gate.verdict === 'pass';
  const mayApprove = session.can() || (passed && session.can('ml_engineer'));
  const approve = useMutation({
    mutationFn: () =>
      api<ApprovalOut>('/v1/approvals', { method: 'POST', body: { model: page.version.model, version: page.version.version, platform, tier, channel, reason } }),
    onSuccess: async () => {
      setReason('');
      await client.invalidateQueries();
    },
  });
  const active = page.approvals.filter((a) => a.state === 'active');
  const submit = (e: FormEvent) => {
    e.preventDefault();
    approve.mutate();
  };
  return (
    <>
      <h2>Approvals</h2>
      <p data-testid="version-approvals">
        {active.length === 0 ? (
          <span className="muted">This version is not approved for any scope.</span>
        ) : (
          active.map((a) => (
            <span key={a.id} className="badge approval" data-kind={a.kind}>
              ✓ {a.channel}: {scopeLabel(a.platform, a.tier)} ({a.kind}, by {a.approvedBy})
            </span>
          ))
        )}
      </p>
      {mayApprove && (
        <form className="inline" onSubmit={submit} data-testid="approve-form">
          <label>
            platform <input value={platform} onChange={(e) => setPlatform(e.target.value)} size={8} />
          </label>
          <label>
            tier
            <select value={tier} onChange={(e) => setTier(e.target.value)}>
              <option value="*">any</option>
              <option value="low">low</option>
              <option value="mid">mid</option>
              <option value="high">high</option>
            </select>
          </label>
          <label>
            channel <input value={channel} onChange={(e) => setChannel(e.target.value)} size={10} />
          </label>
          <label>
            reason <input name="reason" value={reason} onChange={(e) => setReason(e.target.value)} required minLength={3} size={30} />
          </label>
          <button type="submit" disabled={approve.isPending}>
            {passed ? 'Approve' : 'Approve (override: the gate has not passed)'}
          </button>
          {approve.error && (
            <span className="state error" role="alert">
              {approve.error.message}
            </span>
          )}
        </form>
      )}
    </>
  );
}
