import type { Command } from 'commander';
import Table from 'cli-table3';
import type { EdgeproofClient } from '@edgeproof/client';

type Print = (json: boolean, value: unknown, text: () => string) => void;

/** approved, approvals, approve, revoke, audit. */
export function approvalCommands(program: Command, client: () => EdgeproofClient, print: Print, _setExit: (code: number) => void): void {
  program
    .command('approved <model>')
    .description('the version approved for a scope: version, sha256, size, download URL, evidence')
    .option('--platform <platform>', 'e.g. android, ios, linux')
    .option('--tier <tier>', 'low, mid or high')
    .option('--channel <channel>', 'release channel', 'production')
    .option('--json', 'print JSON', false)
    .action(async (model: string, o) => {
      const a = await client().getApproved(model, { platform: o.platform, tier: o.tier, channel: o.channel });
      print(o.json, a, () =>
        [
          `${a.model} ${a.version} approved for platform ${a.scope.platform}, tier ${a.scope.tier}, channel ${a.scope.channel} (${a.approval.kind} by ${a.approval.approvedBy} at ${a.approval.approvedAt})`,
          `sha256   ${a.sha256}`,
          `size     ${a.sizeBytes} B (gzip ${a.gzipSizeBytes} B)`,
          `download ${a.downloadUrl}`,
          `evidence ${a.evidenceUrl ?? 'none (manual approval)'}`,
        ].join('\n'),
      );
    });

  program
    .command('approvals <model>')
    .description('list approvals of a model (active, superseded and revoked)')
    .option('--state <state>', 'active, superseded or revoked')
    .option('--json', 'print JSON', false)
    .action(async (model: string, o) => {
      const items = await client().listApprovals({ model, state: o.state });
      print(o.json, items, () => {
        const t = new Table({ head: ['id', 'version', 'platform', 'tier', 'channel', 'kind', 'state', 'by', 'reason'] });
        for (const a of items) t.push([a.id, a.version, a.platform, a.tier, a.channel, a.kind, a.state, a.approvedBy, a.reason ?? '']);
        return t.toString();
      });
    });

  program
    .command('approve <model> <version>')
    .description('approve a version for a scope by hand (a version without a passing gate needs an admin token: override)')
    .requiredOption('--reason <text>', 'why (kept in the audit log)')
    .option('--platform <platform>', 'platform, default any', '*')
    .option('--tier <tier>', 'tier, default any', '*')
    .option('--channel <channel>', 'release channel', 'production')
    .option('--json', 'print JSON', false)
    .action(async (model: string, version: string, o) => {
      const a = await client().approve({ model, version, platform: o.platform, tier: o.tier, channel: o.channel, reason: o.reason });
      print(o.json, a, () => `${a.kind} approval ${a.id}: ${a.model} ${a.version} for platform ${a.platform}, tier ${a.tier}, channel ${a.channel}`);
    });

  program
    .command('revoke <approvalId>')
    .description('revoke an approval')
    .requiredOption('--reason <text>', 'why (kept in the audit log)')
    .option('--json', 'print JSON', false)
    .action(async (id: string, o) => {
      const a = await client().revokeApproval(id, o.reason);
      print(o.json, a, () => `revoked ${a.id}: ${a.model} ${a.version} (${a.platform}/${a.tier}/${a.channel})`);
    });

  program
    .command('audit [model]')
    .description('the audit log: every approval, override and revocation')
    .option('--json', 'print JSON', false)
    .action(async (model: string | undefined, o) => {
      const items = await client().listAudit(model);
      print(o.json, items, () => {
        const t = new Table({ head: ['when', 'action', 'model', 'version', 'who', 'role', 'why'] });
        for (const e of items) t.push([e.createdAt, e.action, e.model ?? '', e.version ?? '', e.actor, e.actorRole, e.reason ?? '']);
        return t.toString();
      });
    });
}
