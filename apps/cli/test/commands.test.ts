import { createHash } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { buildZoo, defaultZooDir, ZOO_FILES } from '@edgeproof/model-zoo';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startStack, type Stack } from './support/stack.ts';

/**
 * The read and approval commands as a user runs them: `edgeproof` as a subprocess against the real
 * API and a real agent on the host CPU. One story: push two builds, compare them, read the run and
 * the gate, approve by hand (and be refused), revoke, read the audit log.
 */
describe('edgeproof push / versions / compare / run show / gate-status / approvals (CLI subprocess → real API)', () => {
  let stack: Stack;
  let fast = '';
  let slow = '';
  let gateId = '';
  let runId = '';
  let approvalId = '';

  beforeAll(async () => {
    const zooDir = defaultZooDir();
    await buildZoo(zooDir);
    stack = await startStack();
    fast = join(zooDir, ZOO_FILES.mnistMlp);
    slow = join(zooDir, ZOO_FILES.mnistMlpSlow);
  }, 180_000);
  afterAll(async () => {
    await stack?.close();
  });

  const json = <T>(stdout: string): T => JSON.parse(stdout) as T;

  it('push uploads once, accepts the same bytes again, refuses other bytes under the same version', async () => {
    const sha = createHash('sha256').update(await readFile(fast)).digest('hex');
    const first = await stack.cli(['push', '--model', 'digits', '--file', fast, '--version', '1.0.0', '--owner', 'ml-team']);
    expect(first.code, first.stderr).toBe(0);
    expect(first.stdout).toMatch(new RegExp(`^uploaded: digits 1\\.0\\.0 sha256 ${sha} \\(\\d+ bytes, gzip \\d+\\)`));
    const again = await stack.cli(['push', '--model', 'digits', '--file', fast, '--version', '1.0.0', '--json']);
    expect(again.code).toBe(0);
    expect(json(again.stdout)).toMatchObject({ version: '1.0.0', sha256: sha });
    const clash = await stack.cli(['push', '--model', 'digits', '--file', slow, '--version', '1.0.0']);
    expect(clash.code).toBe(4);
    expect(clash.stderr).toMatch(/^edgeproof: HTTP 409 conflict: /);
    const pushed = await stack.cli(['push', '--model', 'digits', '--file', slow, '--version', '1.1.0']);
    expect(pushed.code, pushed.stderr).toBe(0);
  });

  it('versions lists what is stored (text and --json); an unknown model is exit 4 with the API message', async () => {
    const text = await stack.cli(['versions', 'digits'], { role: 'viewer' });
    expect(text.code).toBe(0);
    expect(text.stdout.trim().split('\n').map((l) => l.split('\t')[0]).sort()).toEqual(['1.0.0', '1.1.0']);
    const list = json<{ version: string; sizeBytes: number }[]>((await stack.cli(['versions', 'digits', '--json'], { role: 'viewer' })).stdout);
    expect(list.map((v) => v.version).sort()).toEqual(['1.0.0', '1.1.0']);
    const missing = await stack.cli(['versions', 'no-such-model'], { role: 'viewer' });
    expect(missing.code).toBe(4);
    expect(missing.stderr).toMatch(/HTTP 404 not_found: .*no-such-model/);
  });

  it('compare measures both versions interleaved and exits with the verdict (the slow build fails +5%)', async () => {
    const res = await stack.cli(['compare', 'digits', '1.1.0', '1.0.0', '--dims', 'batch=1', '--timeout', '2m', '--json']);
    expect(res.code, res.stderr).toBe(1);
    const gate = json<{ id: string; runId: string; verdict: string; baseline: string; results: { type: string; status: string }[] }>(res.stdout);
    expect(gate).toMatchObject({ verdict: 'fail', baseline: '1.0.0' });
    expect(gate.results.find((r) => r.type === 'relative')?.status).toBe('fail');
    gateId = gate.id;
    runId = gate.runId;
  }, 120_000);

  it('run show prints every job with how it was measured; --json carries both sample sets', async () => {
    const text = await stack.cli(['run', 'show', runId], { role: 'viewer' });
    expect(text.code).toBe(0);
    expect(text.stdout).toMatch(/^digits 1\.1\.0 vs 1\.0\.0: succeeded/);
    expect(text.stdout).toMatch(/p50 [\d.]+ ms/);
    expect(text.stdout).toContain('onnxruntime-node');
    const run = json<{ id: string; jobs: { benchmark: string; rawSamples?: number[]; result: { environment: { interleaved: { baseline: { version: string } } } } }[] }>(
      (await stack.cli(['run', 'show', runId, '--json'], { role: 'viewer' })).stdout,
    );
    expect(run.id).toBe(runId);
    expect(run.jobs).toHaveLength(1);
    expect(run.jobs[0]?.result.environment.interleaved.baseline.version).toBe('1.0.0');
    const bad = await stack.cli(['run', 'show', 'not-a-uuid'], { role: 'viewer' });
    expect(bad.code).toBe(4);
    expect(bad.stderr).toMatch(/HTTP 400 bad_request: .*id/);
  });

  it('gate-status shows the verdict table and exits like gate', async () => {
    const text = await stack.cli(['gate-status', gateId], { role: 'viewer' });
    expect(text.code).toBe(1);
    expect(text.stdout).toContain('latency.p50 ≤ +5% vs baseline');
    expect(text.stdout).toContain('FAIL');
    const viaJson = await stack.cli(['gate-status', gateId, '--json', '--markdown', 'status.md'], { role: 'viewer' });
    expect(viaJson.code).toBe(1);
    expect(json<{ id: string; verdict: string }>(viaJson.stdout)).toMatchObject({ id: gateId, verdict: 'fail' });
    expect(await readFile(join(stack.dir, 'status.md'), 'utf8')).toContain('### edgeproof gate: ❌');
  });

  it('approve is refused to a viewer, and to an ml-engineer for a version without a passing gate, with the API message', async () => {
    const viewer = await stack.cli(['approve', 'digits', '1.0.0', '--reason', 'ship it', '--tier', 'mid'], { role: 'viewer' });
    expect(viewer.code).toBe(4);
    expect(viewer.stderr).toContain('edgeproof: HTTP 403 forbidden: role viewer may not POST /v1/approvals');
    const engineer = await stack.cli(['approve', 'digits', '1.1.0', '--reason', 'ship it'], { role: 'ml_engineer' });
    expect(engineer.code).toBe(4);
    expect(engineer.stderr).toContain(`digits 1.1.0 has not passed a gate (its gate ${gateId} is fail): overriding needs the admin role`);
    const noReason = await stack.cli(['approve', 'digits', '1.0.0'], { role: 'admin' });
    expect(noReason.code).toBe(4);
    expect(noReason.stderr).toContain("required option '--reason <text>' not specified");
  });

  it('an admin override is served by approved and listed by approvals', async () => {
    const res = await stack.cli(['approve', 'digits', '1.0.0', '--reason', 'hotfix, measured by hand', '--tier', 'mid', '--channel', 'beta', '--json'], { role: 'admin' });
    expect(res.code, res.stderr).toBe(0);
    const approval = json<{ id: string; kind: string; version: string }>(res.stdout);
    expect(approval).toMatchObject({ kind: 'override', version: '1.0.0' });
    approvalId = approval.id;

    const approved = await stack.cli(['approved', 'digits', '--tier', 'mid', '--channel', 'beta', '--json'], { role: 'viewer' });
    expect(approved.code).toBe(0);
    expect(json(approved.stdout)).toMatchObject({ version: '1.0.0', scope: { tier: 'mid', channel: 'beta' }, approval: { kind: 'override' } });
    const text = await stack.cli(['approved', 'digits', '--tier', 'mid', '--channel', 'beta'], { role: 'viewer' });
    expect(text.stdout).toMatch(/^digits 1\.0\.0 approved for platform \S+, tier mid, channel beta \(override by /);
    expect(text.stdout).toContain('evidence none (manual approval)');

    const list = json<{ id: string; state: string }[]>((await stack.cli(['approvals', 'digits', '--json'], { role: 'viewer' })).stdout);
    expect(list).toEqual([expect.objectContaining({ id: approvalId, state: 'active' })]);
    const table = await stack.cli(['approvals', 'digits', '--state', 'active'], { role: 'viewer' });
    expect(table.stdout).toContain(approvalId);
    expect(table.stdout).toContain('override');
  });

  it('revoke ends the approval (then nothing is approved: exit 4, 404); audit shows who, what and why', async () => {
    const res = await stack.cli(['revoke', approvalId, '--reason', 'crash reports from beta'], { role: 'admin' });
    expect(res.code, res.stderr).toBe(0);
    expect(res.stdout).toBe(`revoked ${approvalId}: digits 1.0.0 (*/mid/beta)\n`);
    const twice = await stack.cli(['revoke', approvalId, '--reason', 'again'], { role: 'admin' });
    expect(twice.code).toBe(4);
    expect(twice.stderr).toContain(`HTTP 409 conflict: approval ${approvalId} was already revoked`);
    const none = await stack.cli(['approved', 'digits', '--tier', 'mid', '--channel', 'beta'], { role: 'viewer' });
    expect(none.code).toBe(4);
    expect(none.stderr).toMatch(/HTTP 404 not_found/);

    const audit = json<{ action: string; version: string; actorRole: string; reason: string }[]>((await stack.cli(['audit', 'digits', '--json'], { role: 'viewer' })).stdout);
    expect(audit.map((e) => [e.action, e.version, e.actorRole, e.reason]).sort()).toEqual([
      ['override', '1.0.0', 'admin', 'hotfix, measured by hand'],
      ['revoke', '1.0.0', 'admin', 'crash reports from beta'],
    ]);
    const table = await stack.cli(['audit'], { role: 'viewer' });
    expect(table.code).toBe(0);
    expect(table.stdout).toContain('crash reports from beta');
  });

  it('--help lists every command and explains each one', async () => {
    const top = await stack.cli(['--help']);
    expect(top.code).toBe(0);
    for (const c of ['profile', 'gate', 'gate-status', 'push', 'versions', 'run', 'compare', 'approved', 'approvals', 'approve', 'revoke', 'audit', 'policy']) {
      expect(top.stdout).toMatch(new RegExp(`^  ${c}\\b`, 'm'));
    }
    const approve = await stack.cli(['approve', '--help']);
    expect(approve.code).toBe(0);
    expect(approve.stdout).toContain('Usage: edgeproof approve [options] <model> <version>');
    expect(approve.stdout).toContain('--reason <text>');
    expect(approve.stdout).toMatch(/needs an\s+admin token/);
    const show = await stack.cli(['run', 'show', '--help']);
    expect(show.stdout).toContain('Usage: edgeproof run show [options] <id>');
  });
});
