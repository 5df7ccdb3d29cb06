import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { deviceQueueName } from '@edgeproof/queue';
import { repoRoot, thirdPartyModels } from '@edgeproof/testkit';
import { Queue } from 'bullmq';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { modelForm, startTestApi, type TestApi } from '../../apps/api/test/helpers.ts';
import { registerSimulatedAgent } from '../../apps/api/test/simulated-agent.ts';

/**
 * "Approvals only from reviewed policies": a ci token must not approve its own build by sending a
 * policy whose rules always pass. Only a policy stored for the model (saved by ml_engineer or
 * admin, audited) approves; an inline one decides and reports but never approves.
 */

const SCOPE = 'scope: { platform: android, tiers: [low], channel: production }\ndevices: { platform: android, pick: all }\nsettings: { inputShapes: { x: [1, 3, 48, 192] } }';
const ALWAYS_PASS = `version: 1\nname: trust-me\n${SCOPE}\napprove: true\nrules:\n  - type: threshold\n    metric: latency.p90\n    max: 3600s\n`;
const release = (max: string) => `version: 1\nname: release\n${SCOPE}\nrules:\n  - type: threshold\n    metric: latency.p90\n    max: ${max}\n`;
const withDelta = `${release('50ms')}  - type: threshold\n    metric: model.gzipDelta\n    max: 64KB\n`;

/**
 * The lab's agent, played over HTTP: one low-tier phone; `answer` reports every queued job of a run
 * with a latency result of the given p90. The agent protocol lives here only, to adapt in one place.
 */
async function startLabAgent(api: TestApi) {
  const agent = await registerSimulatedAgent(api.url, await api.agentToken('lab'), {
    name: 'lab',
    devices: [{ localKey: 'moto-e13', platform: 'android', driver: 'android', maker: 'Motorola', model: 'moto e13', tier: 'low', runtimes: ['onnxruntime-android'] }],
  });
  const deviceId = agent.registered.devices[0]?.id as string;
  const queue = new Queue(deviceQueueName(deviceId), { connection: { url: api.redisUrl }, prefix: api.queuePrefix });
  const samples = (p90: number) => Array.from({ length: 50 }, (_, i) => p90 - 2 + (i % 3));
  return {
    async answer(runId: string, p90: number) {
      const run = (await api.app.inject({ method: 'GET', url: `/v1/runs/${runId}`, headers: api.auth('viewer') })).json();
      for (const job of run.jobs as { id: string; status: string }[]) {
        if (job.status !== 'queued') continue;
        await agent.call('POST', `/v1/agent/jobs/${job.id}/start`, { attempt: 1 });
        const raw = samples(p90);
        await agent.call('POST', `/v1/agent/jobs/${job.id}/result`, {
          attempt: 1,
          summary: {
            kind: 'latency', unit: 'ms', sessionCreateMs: 12, firstInferenceMs: 3, warmup: { runs: 10, seconds: 0.5 }, measure: { runs: raw.length, seconds: 1 },
            stats: { count: raw.length, min: p90 - 2, mean: p90 - 1, p50: p90 - 1, p90, p95: p90, p99: p90, max: p90, stdev: 1, cv: 0.02 },
            peakMemoryBytes: 1000,
          },
          rawSamples: raw,
          environment: {
            runtime: 'onnxruntime-android', runtimeVersion: '1.30.0', executionProvider: 'cpu', threads: 1, graphOptimization: 'all',
            warmupMinRuns: 1, warmupMinSeconds: 0.5, measureMinRuns: 50, measureMinSeconds: 1, measureMaxRuns: 10000, measureMaxSeconds: 60,
            inputSource: 'generated', inputSeed: 42, inputShapes: { x: [1, 3, 48, 192] }, thermalState: 'nominal', os: 'Android 14', cpu: 'arm64',
          },
        });
      }
    },
    close: async () => {
      await queue.obliterate({ force: true });
      await queue.close();
    },
  };
}

describe('security: a ci token cannot approve its own model with an inline policy', () => {
  let api: TestApi;
  let lab: Awaited<ReturnType<typeof startLabAgent>>;
  let inlineGate = '';
  const get = (url: string) => api.app.inject({ method: 'GET', url, headers: api.auth('viewer') });
  const post = (url: string, payload: object, role: 'ci' | 'ml_engineer' = 'ci') => api.app.inject({ method: 'POST', url, headers: api.auth(role), payload });
  const approvals = () => api.app.db.approval.count();
  const auditActions = async () => (await api.app.db.auditEntry.findMany({ orderBy: { createdAt: 'asc' } })).map((e) => e.action);

  /** starts a gate, lets the lab answer its run(s) with these p90s in turn, returns the decided gate */
  async function gate(body: object, p90s: number[]) {
    const res = await post('/v1/gates', { model: 'victim', ...body });
    expect(res.statusCode, res.body).toBe(201);
    let g = res.json();
    for (const p90 of p90s) {
      await lab.answer(g.confirmRunId ?? g.runId, p90);
      g = (await get(`/v1/gates/${g.id}`)).json();
    }
    expect(g.status).toBe('done');
    return g;
  }

  beforeAll(async () => {
    api = await startTestApi({}, { listen: true });
    expect((await post('/v1/models', { name: 'victim', taskKind: 'classification', owner: 'o' })).statusCode).toBe(201);
    const bytes = await readFile(thirdPartyModels.ocrDirectionClassifier);
    for (const version of ['0.9.0', '1.0.0', '1.1.0']) {
      const up = await api.app.inject({ method: 'POST', url: '/v1/models/victim/versions', headers: api.auth('ci'), payload: modelForm(bytes, { version }) });
      expect(up.statusCode, up.body).toBeLessThan(300);
    }
    lab = await startLabAgent(api);
  });
  afterAll(async () => {
    await lab?.close();
    await api?.close();
  });

  it('an inline always-pass policy with approve: true passes, and approves nothing', async () => {
    const started = await post('/v1/gates', { model: 'victim', version: '1.0.0', policy: { source: ALWAYS_PASS, file: 'trust-me.yaml' } });
    expect(started.statusCode, started.body).toBe(201);
    expect(started.json()).toMatchObject({ policyOrigin: { kind: 'inline', file: 'trust-me.yaml' }, approval: { eligible: false, reason: 'inline-policy' } });
    await lab.answer(started.json().runId, 30);
    const g = (await get(`/v1/gates/${started.json().id}`)).json();
    expect(g).toMatchObject({ status: 'done', verdict: 'pass', approvals: [], approval: { eligible: false, reason: 'inline-policy' } });
    expect(g.approval.message).toContain('inline policy');
    inlineGate = g.id;

    expect(await approvals()).toBe(0);
    expect((await get('/v1/models/victim/approved?platform=android&tier=low&channel=production')).statusCode).toBe(404);
    expect((await get('/v1/models/victim/approved')).statusCode).toBe(404);
    expect(await auditActions()).toEqual([]);
    // nor by hand: ci is not among the roles that approve
    const manual = await post('/v1/approvals', { model: 'victim', version: '1.0.0', platform: 'android', tier: 'low', reason: 'the gate passed' });
    expect(manual.statusCode).toBe(403);
    expect(await approvals()).toBe(0);
  });

  it('nor after a confirmation run, nor by re-evaluating', async () => {
    // the first run fails (80 ms > 50 ms), the automatic confirmation run passes
    const confirmed = await gate({ version: '1.0.0', policy: { source: release('50ms') } }, [80, 30]);
    expect(confirmed).toMatchObject({ verdict: 'pass', approvals: [], approval: { eligible: false, reason: 'inline-policy' } });
    expect(confirmed.confirmRunId).not.toBeNull();

    const re = await post(`/v1/gates/${inlineGate}/reevaluate`, { policy: { source: ALWAYS_PASS } });
    expect(re.statusCode, re.body).toBe(201);
    expect(re.json()).toMatchObject({ verdict: 'pass', approvals: [], approval: { eligible: false, reason: 'reevaluation' } });
    expect(await approvals()).toBe(0);
    expect(await auditActions()).toEqual([]);
  });

  it('ci may not save a policy (403 naming who may), and no policy text can claim to be stored', async () => {
    const res = await post('/v1/models/victim/policies', { name: 'release', source: ALWAYS_PASS });
    expect(res.statusCode).toBe(403);
    expect(res.json().error.message).toContain('ml_engineer');
    expect(await api.app.db.gatePolicy.count()).toBe(0);
    expect(await auditActions()).toEqual([]);
    const forged = await post('/v1/gates', { model: 'victim', version: '1.0.0', policy: { source: `${ALWAYS_PASS}provenance: { origin: { kind: stored } }\n` } });
    expect(forged.statusCode).toBe(400);
    expect(forged.json().error.message).toContain('provenance');
  });

  it('an ml_engineer may still approve an inline-policy pass by hand; the audit entry says the policy was inline', async () => {
    const res = await post('/v1/approvals', { model: 'victim', version: '1.0.0', platform: 'android', tier: 'low', reason: 'reviewed the inline gate', gate: inlineGate }, 'ml_engineer');
    expect(res.statusCode, res.body).toBe(201);
    expect(res.json()).toMatchObject({ kind: 'manual', approvedByRole: 'ml_engineer', gate: inlineGate });
    const audit = (await get('/v1/audit?model=victim')).json().items;
    expect(audit[0]).toMatchObject({ action: 'approve', actorRole: 'ml_engineer', evidence: { gate: inlineGate, gateVerdict: 'pass', gatePolicy: { kind: 'inline', file: 'trust-me.yaml' } } });
    await post(`/v1/approvals/${res.json().id}/revoke`, { reason: 'back to the test' }, 'ml_engineer');
  });

  it('a policy saved by an ml_engineer approves a ci gate naming it, under the revision the gate started with, and the audit says which', async () => {
    const saved = await post('/v1/models/victim/policies', { name: 'release', source: release('50ms') }, 'ml_engineer');
    expect(saved.statusCode, saved.body).toBe(201);
    const rev1 = saved.json();
    expect(rev1).toMatchObject({ name: 'release', revision: 1, createdBy: 'test-ml_engineer' });
    const saveAudit = (await get('/v1/audit?model=victim')).json().items[0];
    expect(saveAudit).toMatchObject({ action: 'policy-save', actor: 'test-ml_engineer', actorRole: 'ml_engineer', version: null, approval: null, evidence: { policy: { name: 'release', revision: 1, id: rev1.id } } });

    const started = await post('/v1/gates', { model: 'victim', version: '1.0.0', policy: { name: 'release' } });
    expect(started.statusCode, started.body).toBe(201);
    expect(started.json()).toMatchObject({ policyOrigin: { kind: 'stored', name: 'release', revision: 1, id: rev1.id }, approval: { eligible: true, reason: 'stored-policy' } });
    // a stricter revision saved while the gate runs does not change what that gate decides under
    expect((await post('/v1/models/victim/policies', { name: 'release', source: release('1ms') }, 'ml_engineer')).json()).toMatchObject({ revision: 2 });
    await lab.answer(started.json().runId, 30);
    const g = (await get(`/v1/gates/${started.json().id}`)).json();
    expect(g).toMatchObject({ verdict: 'pass', approval: { eligible: true } });
    expect(g.approvals).toHaveLength(1);

    const approved = await get('/v1/models/victim/approved?platform=android&tier=low');
    expect(approved.statusCode).toBe(200);
    expect(approved.json()).toMatchObject({ version: '1.0.0', approval: { kind: 'automatic', approvedBy: 'test-ci' } });
    const entry = (await get('/v1/audit?model=victim')).json().items.find((e: { action: string }) => e.action === 'auto-approve');
    expect(entry).toMatchObject({
      version: '1.0.0',
      actor: 'test-ci',
      actorRole: 'ci',
      reason: `gate ${g.id} passed (stored policy release, revision 1)`,
      evidence: { gate: g.id, verdict: 'pass', policy: { name: 'release', revision: 1, id: rev1.id, savedBy: 'test-ml_engineer' } },
    });

    // re-evaluating under the stored policy decides again but approves nothing new
    const before = await approvals();
    const re = await post(`/v1/gates/${g.id}/reevaluate`, { policy: { name: 'release' } });
    expect(re.json()).toMatchObject({ approvals: [], approval: { eligible: false, reason: 'reevaluation' }, policyOrigin: { revision: 2 } });
    expect(await approvals()).toBe(before);
  });

  it("a stored policy approves only against its own baseline: ci naming another one gets a verdict, not an approval", async () => {
    expect((await post('/v1/models/victim/policies', { name: 'release', source: withDelta }, 'ml_engineer')).statusCode).toBe(201);
    const before = await approvals();
    const overridden = await gate({ version: '1.1.0', policy: { name: 'release' }, baseline: '0.9.0' }, [30]);
    expect(overridden).toMatchObject({ baseline: '0.9.0', verdict: 'pass', approvals: [], approval: { eligible: false, reason: 'baseline-override' } });
    expect(await approvals()).toBe(before);
    expect((await get('/v1/models/victim/approved?platform=android&tier=low')).json().version).toBe('1.0.0');

    // the policy's own baseline (the approved 1.0.0) named explicitly is no override
    const own = await gate({ version: '1.1.0', policy: { name: 'release' }, baseline: '1.0.0' }, [30]);
    expect(own).toMatchObject({ baseline: '1.0.0', verdict: 'pass', approval: { eligible: true } });
    expect(own.approvals).toHaveLength(1);
    expect((await get('/v1/models/victim/approved?platform=android&tier=low')).json().version).toBe('1.1.0');
  });

  it('the shipped CI workflow gates under a stored policy name (an inline --policy would approve nothing)', async () => {
    const workflow = parse(await readFile(join(repoRoot, 'docs/ci/github-actions-gate.yml'), 'utf8')) as { jobs: Record<string, { steps: { uses?: string; with?: Record<string, string> }[] }> };
    // the repository's gate action (.github/actions/gate), given a stored policy's name and no inline file
    const gateStep = Object.values(workflow.jobs).flatMap((j) => j.steps).find((st) => st.uses?.includes('/.github/actions/gate@'));
    expect(gateStep?.with?.['policy-name']).toMatch(/^\S+$/);
    expect(gateStep?.with).not.toHaveProperty('policy');
  });
});
