import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { GateOut } from '@edgeproof/contracts';
import { buildZoo, defaultZooDir, ZOO_FILES } from '@edgeproof/model-zoo';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { modelForm } from '../../api/test/helpers.ts';
import { startStack, type Stack } from './support/stack.ts';

const GATES = 20;

/**
 * The model against itself: a gate that cries wolf here would cry wolf on every release. The policy
 * keeps the default confirmation run (a non-pass is measured once more and the re-run decides), as
 * every team's gate does; the first attempts' verdicts are checked too, more loosely: under a full
 * parallel test run on two cores one of 20 first attempts has been seen to fail (p50 +6%, its
 * confirmation passed), none when the machine is quiet (docs/adr/0004).
 */
const AA_POLICY = `version: 1
name: aa
baseline: { version: "1.0.0" }
devices: { tiers: [mid] }
approve: false
settings: { dims: { batch: 1 }, warmupMinSeconds: 0.1, measureMinRuns: 30, measureMinSeconds: 0.3, measureMaxRuns: 3000 }
statistics: { minSamples: 30, bootstrapIterations: 500 }
rules:
  - type: relative
    metric: latency.p50
    maxIncrease: 5%
  - type: relative
    metric: latency.p90
    maxIncrease: 10%
`;

describe('A/A: the host device gated against itself', () => {
  let stack: Stack;

  // the suite turns contention flagging off (vitest.config.ts); a gate measured on a machine busy with
  // other tests is inconclusive in the product, not a pass or a fail, so this file measures with the defaults
  beforeAll(async () => {
    for (const k of ['CONTENTION_RUNNABLE_PER_CORE', 'CONTENTION_STEAL_PCT', 'CONTENTION_OTHER_BUSY_PCT']) delete process.env[k];
    const zooDir = defaultZooDir();
    await buildZoo(zooDir);
    stack = await startStack();
    const { app, auth } = stack.api;
    await app.inject({ method: 'POST', url: '/v1/models', headers: auth('ci'), payload: { name: 'mnist', taskKind: 'classification', owner: 'aa' } });
    const bytes = await readFile(join(zooDir, ZOO_FILES.mnistMlp));
    const up = await app.inject({ method: 'POST', url: '/v1/models/mnist/versions', headers: auth('ci'), payload: modelForm(bytes, { version: '1.0.0' }) });
    expect(up.statusCode).toBe(201);
  }, 180_000);
  afterAll(async () => {
    await stack?.close();
  });

  it(`${GATES} gate evaluations of a model against itself produce no "fail" (inconclusive counted), and the noise floor shows them`, async () => {
    const { app, auth } = stack.api;
    const ids: string[] = [];
    for (let i = 0; i < GATES; i++) {
      const res = await app.inject({ method: 'POST', url: '/v1/gates', headers: auth('ci'), payload: { model: 'mnist', version: '1.0.0', policy: { source: AA_POLICY, file: 'aa.yaml' } } });
      expect(res.statusCode, res.body).toBe(201);
      ids.push(res.json().id);
    }
    const gates: GateOut[] = [];
    for (const id of ids) {
      await expect
        .poll(async () => (await app.inject({ method: 'GET', url: `/v1/gates/${id}`, headers: auth('viewer') })).json().status, { timeout: 120_000, interval: 250 })
        .toBe('done');
      gates.push((await app.inject({ method: 'GET', url: `/v1/gates/${id}`, headers: auth('viewer') })).json());
    }
    const verdicts = { pass: 0, fail: 0, inconclusive: 0 };
    for (const g of gates) verdicts[g.verdict ?? 'inconclusive']++;
    const firstAttempts = gates.map((g) => g.firstAttempt ?? g.results);
    const firstFails = firstAttempts.filter((rs) => rs.some((r) => r.status === 'fail')).length;
    const ratios = firstAttempts.flatMap((rs) => rs.filter((r) => r.metric === 'latency.p50').map((r) => r.observed));
    console.info(`A/A on the host device: ${JSON.stringify(verdicts)}; first attempts with a fail: ${firstFails}; p50 ratios ${ratios.map((r) => r?.toFixed(3)).join(' ')}`);
    expect(verdicts.fail).toBe(0);
    expect(verdicts.pass + verdicts.inconclusive).toBe(GATES);
    expect(firstFails).toBeLessThanOrEqual(2);

    const noise = (await app.inject({ method: 'GET', url: `/v1/noise-floor?device=${stack.hostDeviceId}`, headers: auth('viewer') })).json();
    expect(noise.items).toHaveLength(1);
    expect(noise.items[0]).toMatchObject({ device: { id: stack.hostDeviceId, localKey: 'host' } });
    // every gate's run, and each confirmation run, is one A/A pair
    expect(noise.items[0].pairs).toBe(GATES + gates.filter((g) => g.confirmRunId !== null).length);
    expect(noise.items[0].noiseFloor).toBeGreaterThanOrEqual(0);
  }, 240_000);
});
