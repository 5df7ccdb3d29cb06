import type { ApprovalOut } from '@edgeproof/contracts';
import { useMutation, useQueryClient } from '@tanstack/react-query';
import { useState, type FormEvent } from 'react';
import { api, enc } from '../api/client.ts';

/**
 * "Revoke" for one active approval: opens a reason field (the API needs 3–2000 characters) and
 * calls `POST /v1/approvals/:id/revoke`. Render it only for roles the API lets revoke (admin,
 * ml_engineer); the API refuses everyone else anyway.
 */
export function RevokeApproval({ approval }: { approval: ApprovalOut }) {
  const client = useQueryClient();
  const [open, setOpen] = useState(false);
  const [reason, setReason] = useState('');
  const revoke = useMutation({
    mutationFn: () => api<ApprovalOut>(`/v1/approvals/${enc(approval.id)}/revoke`, { method: 'POST', body: { reason } }),
    onSuccess: async () => {
      setOpen(false);
      setReason('');
      await client.invalidateQueries();
    },
  });
  const what = `${approval.model} ${approval.version} (${approval.channel})`;
  if (!open) {
    return (
      <button type="button" onClick={() => setOpen(true)} aria-label={`Revoke the approval of ${what}`}>
        Revoke
      </button>
    );
  }
  const submit = (e: FormEvent) => {
    e.preventDefault();
    revoke.mutate();
  };
  return (
    <form className="inline" onSubmit={submit} data-testid="revoke-form">
      <label>
        reason <input name="revoke-reason" value={reason} onChange={(e) => setReason(e.target.value)} required minLength={3} maxLength={2000} size={24} autoFocus />
      </label>
      <button type="submit" disabled={revoke.isPending}>
        Confirm revoke
      </button>
      <button type="button" className="link" onClick={() => setOpen(false)}>
        Cancel
      </button>
      {revoke.error && (
        <span className="state error" role="alert">
          {revoke.error.message}
        </span>
      )}
    </form>
  );
}
