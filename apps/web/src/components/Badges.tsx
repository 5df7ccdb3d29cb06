import type { ApprovalBadge } from '@edgeproof/contracts';
import { approvalBadgeGroups } from '../shaping/badges.ts';
import { VERDICT_STYLE } from '../shaping/palette.ts';

export function VerdictBadge({ verdict }: { verdict: keyof typeof VERDICT_STYLE | null }) {
  if (!verdict) return <span className="badge muted">pending</span>;
  const s = VERDICT_STYLE[verdict];
  return (
    <span className="badge verdict" data-verdict={verdict} style={{ borderColor: s.colour, color: s.colour }}>
      {s.symbol} {verdict}
    </span>
  );
}

export function ApprovalBadges({ approvals, showVersion = true }: { approvals: readonly ApprovalBadge[]; showVersion?: boolean }) {
  const groups = approvalBadgeGroups(approvals);
  if (groups.length === 0) return <span className="muted">not approved</span>;
  return (
    <span className="approval-badges">
      {groups.map((g) =>
        g.badges.map((b) => (
          <span key={`${g.channel}/${b.scope}`} className="badge approval" data-kind={b.kind} title={`${b.kind} approval`}>
            ✓ {g.channel}: {b.scope}
            {showVersion ? ` → ${b.version}` : ''}
            {b.kind === 'override' ? ' (override)' : ''}
          </span>
        )),
      )}
    </span>
  );
}
