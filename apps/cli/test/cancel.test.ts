import { buildZoo, defaultZooDir, ZOO_FILES } from '@edgeproof/model-zoo';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startStack, type Stack } from './support/stack.ts';

/** `run cancel` and `gate cancel` against the real API: the work waits on a low-tier phone that no agent serves. */
describe('edgeproof run cancel / gate cancel (CLI subprocess → real API)', () => {
  let stack: Stack;
  let model = '';

  beforeAll(async () => {
    await buildZoo(defaultZooDir());
    model = join(defaultZooDir(), ZOO_FILES.mnistMlp);
    stack = await startStack();
    const reg = await stack.api.app.inject({
      method: 'POST',
      url: '/v1/agents/register',
      headers: { authorization: `Bearer ${await stack.api.agentToken('idle-lab')}` },
      payload: { name: 'idle-lab', devices: [{ localKey: 'phone-1', platform: 'android', driver: 'android', tier: 'low', runtimes: ['onnxruntime-android'] }] },
    });
    expect(reg.statusCode).toBe(200);
  }, 180_000);
  afterAll(async () => {
    await stack?.close();
  });

  it('run cancel stops a queued run; again answers the cancelled run; a viewer may not', async () => {
    const started = await stack.cli(['profile', '--model', 'digits', '--file', model, '--devices', 'tier=low', '--dims', 'batch=1', '--json']);
    expect(started.code, started.stderr).toBe(0);
    const { runId } = JSON.parse(started.stdout) as { runId: string };
    const cancelled = await stack.cli(['run', 'cancel', runId, '--json']);
    expect(cancelled.code, cancelled.stderr).toBe(0);
    expect(JSON.parse(cancelled.stdout)).toMatchObject({ id: runId, status: 'cancelled' });
    const again = await stack.cli(['run', 'cancel', runId]);
    expect(again.code, again.stderr).toBe(0);
    expect(again.stdout).toMatch(new RegExp(`^run ${runId}: cancelled`));
    const viewer = await stack.cli(['run', 'cancel', runId], { role: 'viewer' });
    expect(viewer.code).toBe(4);
    expect(viewer.stderr).toContain('HTTP 403 forbidden');
  });

  it('gate cancel ends a measuring gate without a verdict; gate-status then exits 4', async () => {
    const policy = await stack.write('low.yaml', 'version: 1\nname: low\ndevices: { tiers: [low] }\nsettings: { dims: { batch: 1 } }\nrules:\n  - type: threshold\n    metric: latency.p90\n    max: 1s\n');
    const started = await stack.cli(['gate', '--model', 'digits', '--file', model, '--version', '2.0.0', '--policy', policy, '--json']);
    expect(started.code, started.stderr).toBe(0);
    const gate = JSON.parse(started.stdout) as { id: string };
    const cancelled = await stack.cli(['gate', 'cancel', gate.id, '--json']);
    expect(cancelled.code, cancelled.stderr).toBe(0);
    expect(JSON.parse(cancelled.stdout)).toMatchObject({ id: gate.id, status: 'cancelled', verdict: null, approvals: [] });
    const status = await stack.cli(['gate-status', gate.id]);
    expect(status.code).toBe(4);
    const usage = await stack.cli(['gate', 'cancel']);
    expect(usage.code).toBe(4);
    expect(usage.stderr).toContain("missing required argument 'id'");
  });
});
