import type { ApprovalBadge } from '@edgeproof/contracts';

/** "*" in a scope means any platform or any tier. */
export function scopeLabel(platform: string, tier: string): string {
  const p = platform === '*' ? 'any platform' : platform;
  const t = tier === '*' ? 'any tier' : `${tier} tier`;
  return `${p} · ${t}`;
}

export interface BadgeGroup {
  channel: string;
  badges: Array<{ scope: string; version: string; kind: ApprovalBadge['kind'] }>;
}

/**
 * Active approvals grouped by channel (production first), one badge per platform and tier scope,
 * sorted so that specific scopes follow the "any" ones. A scope holds one active approval; should
 * the API return two, the first one (its newest) wins.
 */
export function approvalBadgeGroups(badges: readonly ApprovalBadge[]): BadgeGroup[] {
  const byChannel = new Map<string, Map<string, ApprovalBadge>>();
  for (const b of badges) {
    const scopes = byChannel.get(b.channel) ?? new Map<string, ApprovalBadge>();
    const key = `${b.platform}/${b.tier}`;
    if (!scopes.has(key)) scopes.set(key, b);
    byChannel.set(b.channel, scopes);
  }
  const tierOrder = (t: string) => (t === '*' ? -1 : ['low', 'mid', 'high'].indexOf(t));
  return [...byChannel.entries()]
    .sort(([a], [b]) => (a === 'production' ? -1 : b === 'production' ? 1 : a.localeCompare(b)))
    .map(([channel, scopes]) => ({
      channel,
      badges: [...scopes.values()]
        .sort((a, b) => (a.platform === '*' ? -1 : b.platform === '*' ? 1 : a.platform.localeCompare(b.platform)) || tierOrder(a.tier) - tierOrder(b.tier))
        .map((b) => ({ scope: scopeLabel(b.platform, b.tier), version: b.version, kind: b.kind })),
    }));
}

/** The scopes a given version is approved for. */
export function versionApprovals(badges: readonly ApprovalBadge[], version: string): ApprovalBadge[] {
  return badges.filter((b) => b.version === version);
}
