import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { buildZoo, defaultZooDir, ZOO_FILES } from '@edgeproof/model-zoo';
import { XMLValidator } from 'fast-xml-parser';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startStack, type Stack } from './support/stack.ts';

/** Short measurements: the host CPU is shared, the point is the decision path, not precise numbers. */
const SETTINGS = `settings:
  dims: { batch: 1 }
  warmupMinSeconds: 0.1
  measureMinRuns: 30
  measureMinSeconds: 0.3
  measureMaxRuns: 3000
statistics: { minSamples: 30, bootstrapIterations: 500 }`;

const POLICY = `version: 1
name: mnist-release
scope: { tiers: [mid], channel: beta }
devices: { tiers: [mid] }
${SETTINGS}
rules:
  - type: threshold
    metric: latency.p90
    max: 250ms
  - type: threshold
    metric: model.size
    max: 5MB
  - type: relative
    metric: latency.p50
    maxIncrease: 5%
  - type: coverage
    tiers: [mid]
`;

const GITHUB = {
  GITHUB_ACTIONS: 'true',
  GITHUB_REPOSITORY: 'acme/digits',
  GITHUB_SHA: '0123456789abcdef0123456789abcdef01234567',
  GITHUB_REF: 'refs/pull/42/merge',
  GITHUB_HEAD_REF: 'faster-mlp',
  GITHUB_RUN_ID: '777',
  GITHUB_JOB: 'gate',
  GITHUB_SERVER_URL: 'https://github.com',
};

describe('edgeproof gate (CLI subprocess → real API → real agent → onnxruntime-node)', () => {
  let stack: Stack;
  let fast = '';
  let slow = '';
  let policy = '';

  beforeAll(async () => {
    const zooDir = defaultZooDir();
    await buildZoo(zooDir);
    stack = await startStack();
    fast = join(zooDir, ZOO_FILES.mnistMlp);
    slow = join(zooDir, ZOO_FILES.mnistMlpSlow);
    policy = await stack.write('edgeproof.policy.yaml', POLICY);
  }, 180_000);
  afterAll(async () => {
    await stack?.close();
  });

  it('passes a model that meets the policy: exit 0, JUnit without failures, Markdown, CI context stored; an inline policy approves nothing', async () => {
    const args = ['gate', '--model', 'mnist', '--file', fast, '--version', '1.0.0', '--policy', policy, '--wait', '--timeout', '2m', '--junit', 'gate.xml', '--markdown', 'gate.md'];
    const res = await stack.cli(args, { env: GITHUB });
    expect(res.stderr).toContain('uploaded: mnist 1.0.0');
    expect(res.code, res.stdout + res.stderr).toBe(0);
    expect(res.stdout).toContain('PASS');
    expect(res.stderr).toContain('note: a pass will not approve automatically: inline policy');
    expect(res.stdout).toContain('not approved automatically (inline-policy)');
    const junit = await readFile(join(stack.dir, 'gate.xml'), 'utf8');
    expect(junit).toMatch(/<testsuites name="edgeproof" tests="\d+" failures="0" errors="0"/);
    expect(junit).toContain('latency.p90 ≤ 250ms @ host');
    expect(XMLValidator.validate(junit)).toBe(true);
    expect(junit).toMatch(/<testsuite name="edgeproof gate mnist 1\.0\.0" [^>]*time="\d+\.\d{3}"/);
    const md = await readFile(join(stack.dir, 'gate.md'), 'utf8');
    expect(md).toContain('### edgeproof gate: ✅');
    expect(md).toContain('| latency.p50 ≤ +5% vs baseline |');
    expect(md).toContain('not approved automatically (inline-policy)');

    // the gate and its run carry the CI context; the relative rule had no baseline yet
    const gates = (await stack.api.app.inject({ method: 'GET', url: '/v1/gates?model=mnist', headers: stack.api.auth('viewer') })).json();
    const gate = gates.items[0];
    expect(gate.ci).toEqual({ provider: 'github-actions', repository: 'acme/digits', commit: GITHUB.GITHUB_SHA, branch: 'faster-mlp', pullRequest: '42', runUrl: 'https://github.com/acme/digits/actions/runs/777' });
    expect(gate.results.find((r: { type: string }) => r.type === 'relative').status).toBe('skipped');
    const run = (await stack.api.app.inject({ method: 'GET', url: `/v1/runs/${gate.runId}`, headers: stack.api.auth('viewer') })).json();
    expect(run.ci.commit).toBe(GITHUB.GITHUB_SHA);

    // a CI retry of the same job reuses the gate: same id, nothing measured again
    const again = await stack.cli([...args.slice(0, -4), '--json'], { env: GITHUB });
    expect(again.code).toBe(0);
    expect(again.stderr).toContain(`reusing gate ${gate.id}`);
    expect(again.stderr).toContain('already stored: mnist 1.0.0');

    // an inline policy is whatever the caller wrote: its pass approves nothing
    expect(gate).toMatchObject({ policyOrigin: { kind: 'inline', file: 'edgeproof.policy.yaml' }, approval: { eligible: false, reason: 'inline-policy' }, approvals: [] });
    const none = await stack.cli(['approved', 'mnist', '--tier', 'mid', '--channel', 'beta'], { role: 'viewer' });
    expect(none.code).toBe(4);
    expect(none.stderr).toMatch(/HTTP 404 not_found/);
  }, 120_000);

  it('approves under a policy an ml_engineer pushed (ci may not push one): the audit log names its revision', async () => {
    const push = ['policy', 'push', '--model', 'mnist', '--name', 'mnist-release', '--file', policy];
    const denied = await stack.cli(push);
    expect(denied.code).toBe(4);
    expect(denied.stderr).toContain('HTTP 403 forbidden');
    expect(denied.stderr).toContain('ml_engineer');
    const pushed = await stack.cli(push, { role: 'ml_engineer' });
    expect(pushed.code, pushed.stderr).toBe(0);
    expect(pushed.stdout).toBe('saved policy mnist-release revision 1 for mnist (by test-ml_engineer)\n');
    const shown = await stack.cli(['policy', 'show', 'mnist', 'mnist-release'], { role: 'viewer' });
    expect(shown.stdout).toContain('rules:');

    const res = await stack.cli(['gate', '--model', 'mnist', '--version', '1.0.0', '--policy-name', 'mnist-release', '--wait', '--timeout', '2m'], { env: GITHUB });
    expect(res.code, res.stdout + res.stderr).toBe(0);
    expect(res.stderr).not.toContain('will not approve');
    expect(res.stdout).toMatch(/approved automatically for \*\/mid\/beta \(approval [0-9a-f-]{36}\)/);
    const approved = await stack.cli(['approved', 'mnist', '--tier', 'mid', '--channel', 'beta', '--json'], { role: 'viewer' });
    expect(approved.code).toBe(0);
    expect(JSON.parse(approved.stdout)).toMatchObject({ version: '1.0.0', scope: { tier: 'mid', channel: 'beta' }, approval: { kind: 'automatic' } });
    const audit = JSON.parse((await stack.cli(['audit', 'mnist', '--json'], { role: 'viewer' })).stdout) as { action: string; actorRole: string; evidence: Record<string, unknown> }[];
    expect(audit.map((e) => [e.action, e.actorRole])).toEqual([
      ['auto-approve', 'ci'],
      ['policy-save', 'ml_engineer'],
    ]);
    expect(audit[0]?.evidence.policy).toMatchObject({ name: 'mnist-release', revision: 1, savedBy: 'test-ml_engineer' });

    const both = await stack.cli(['gate', '--model', 'mnist', '--version', '1.0.0', '--policy', policy, '--policy-name', 'mnist-release']);
    expect(both.code).toBe(4);
    expect(both.stderr).toMatch(/cannot be used with/);
    const neither = await stack.cli(['gate', '--model', 'mnist', '--version', '1.0.0']);
    expect(neither.code).toBe(4);
    expect(neither.stderr).toContain('give exactly one of --policy <file> or --policy-name <name>');
  }, 120_000);


  it('fails a deliberately slower build against the approved baseline: exit 1 naming the latency rule, after a confirmation run', async () => {
    const res = await stack.cli(['gate', '--model', 'mnist', '--file', slow, '--version', '1.1.0', '--policy', policy, '--wait', '--timeout', '3m', '--junit', 'slow.xml']);
    expect(res.code, res.stdout + res.stderr).toBe(1);
    expect(res.stderr).toContain('baseline 1.0.0');
    expect(res.stdout).toContain('latency.p50 ≤ +5% vs baseline');
    expect(res.stdout).toMatch(/FAIL/);
    expect(res.stdout).toContain('after one confirmation run');
    const junit = await readFile(join(stack.dir, 'slow.xml'), 'utf8');
    expect(junit).toMatch(/failures="[1-9]/);
    expect(junit).toMatch(/<testcase classname="edgeproof\.mnist\.rule2" name="latency\.p50 ≤ \+5% vs baseline @ host[^"]*" time="0"><failure/);
    expect(XMLValidator.validate(junit)).toBe(true);
    // candidate and baseline were measured interleaved, in one job and one session on the device
    const gate = (await stack.api.app.inject({ method: 'GET', url: '/v1/gates?model=mnist&limit=1', headers: stack.api.auth('viewer') })).json().items[0];
    const run = (await stack.api.app.inject({ method: 'GET', url: `/v1/runs/${gate.confirmRunId}`, headers: stack.api.auth('viewer') })).json();
    expect(run.jobs).toHaveLength(1);
    const interleaved = run.jobs[0].result.environment.interleaved;
    expect(interleaved).toMatchObject({ order: 'blocks of 5 runs, A B B A', baseline: { version: '1.0.0' } });
    expect(interleaved.baseline.rawSamples.length).toBeGreaterThanOrEqual(30);
    // the failed build is not approved: 1.0.0 stays the approved version
    const approved = (await stack.api.app.inject({ method: 'GET', url: '/v1/models/mnist/approved?tier=mid&channel=beta', headers: stack.api.auth('viewer') })).json();
    expect(approved.version).toBe('1.0.0');
  }, 180_000);

  it('rejects a policy with a typo before uploading anything: exit 4 (usage) with the file, line and field path', async () => {
    const typo = await stack.write('typo.yaml', POLICY.replace('    max: 250ms', '    maxx: 250ms'));
    const res = await stack.cli(['gate', '--model', 'mnist', '--file', fast, '--version', '9.9.9', '--policy', typo, '--wait']);
    expect(res.code).toBe(4);
    expect(res.stderr).toMatch(/typo\.yaml:\d+:\d+: rules\[0\]\.maxx: unknown field/);
    const versions = await stack.cli(['versions', 'mnist', '--json'], { role: 'viewer' });
    expect(JSON.parse(versions.stdout).map((v: { version: string }) => v.version)).not.toContain('9.9.9');
  });

  it('gives up waiting with exit 3 when the verdict does not come in time', async () => {
    // a low-tier device that no agent serves: its job stays queued
    const reg = await stack.api.app.inject({
      method: 'POST',
      url: '/v1/agents/register',
      headers: { authorization: `Bearer ${await stack.api.agentToken('idle-lab')}` },
      payload: { name: 'idle-lab', devices: [{ localKey: 'phone-1', platform: 'android', driver: 'android', tier: 'low', runtimes: ['onnxruntime-android'] }] },
    });
    expect(reg.statusCode).toBe(200);
    const lowPolicy = await stack.write('low.yaml', POLICY.replace('devices: { tiers: [mid] }', 'devices: { tiers: [low] }'));
    const started = Date.now();
    const res = await stack.cli(['gate', '--model', 'mnist', '--version', '1.0.0', '--policy', lowPolicy, '--wait', '--timeout', '2s']);
    expect(res.code).toBe(3);
    expect(res.stderr).toContain('timeout: gate');
    expect(Date.now() - started).toBeLessThan(30_000);
  });

  it('answers --help for every command', async () => {
    const res = await stack.cli(['gate', '--help']);
    expect(res.code).toBe(0);
    expect(res.stdout).toContain('Exit codes: 0 pass · 1 fail · 2 inconclusive · 3 timeout (--wait) · 4 usage or API error');
  });
});
