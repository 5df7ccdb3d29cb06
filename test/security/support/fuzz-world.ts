/**
 * The state the fuzz test runs against: real rows seeded through the API (models and versions, a
 * dataset, a scenario, a feature build, agents with devices, runs with a leased job, a policy, a gate,
 * an approval, a population, a release manifest, tokens in every state), the files to upload, and
 * what the fuzzer learns from accepted requests (new ids, lock tokens, the agent's current epoch) so
 * that later requests can name existing resources.
 */
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { AGENT_EPOCH_HEADER } from '@edgeproof/contracts';
import { encodeTflite } from '@edgeproof/models';
import { writeScenario } from '@edgeproof/scenes';
import { thirdPartyModels } from '@edgeproof/testkit';
import { TEST_AGENT, type TestApi } from '../../../apps/api/test/helpers.ts';
import { hashToken, newTokenValue } from '../../../apps/api/src/services/tokens.ts';
import { randomUUID } from './fuzz-values.ts';

export const OTHER_AGENT = 'fuzz-other-agent';

export const policySource = (extra = '') => `version: 1
name: phones
scope: { platform: android, tiers: [low], channel: production }
devices: { platform: android, pick: all }
settings: { inputShapes: { x: [1, 3, 48, 192] } }
confirm: false
rules:
  - type: threshold
    metric: latency.p90
    max: 50ms
${extra}`;

export const latencyResult = (attempt = 1) => ({
  attempt,
  summary: {
    kind: 'latency', unit: 'ms', sessionCreateMs: 1, firstInferenceMs: 1, warmup: { runs: 1, seconds: 0.1 }, measure: { runs: 3, seconds: 0.1 },
    stats: { count: 3, min: 0.1, mean: 0.1, p50: 0.1, p90: 0.1, p95: 0.1, p99: 0.1, max: 0.1, stdev: 0, cv: 0 }, peakMemoryBytes: null,
  },
  rawSamples: [0.1, 0.1, 0.1],
  environment: {
    runtime: 'onnxruntime-node', runtimeVersion: '1.30.0', executionProvider: 'cpu', threads: 1, graphOptimization: 'all',
    warmupMinRuns: 1, warmupMinSeconds: 0.5, measureMinRuns: 3, measureMinSeconds: 0.1, measureMaxRuns: 10, measureMaxSeconds: 1,
    inputSource: 'generated', inputSeed: 42, inputShapes: {}, thermalState: 'unavailable', os: 'linux', cpu: 'x',
  },
});

/** The ways a request may authenticate: every role, and the ways a token can be wrong. */
export const AUTHS = ['admin', 'ml_engineer', 'ci', 'agent', 'viewer', 'agent-other', 'agent-legacy', 'revoked', 'expired', 'garbage', 'none', 'malformed'] as const;
export type Auth = (typeof AUTHS)[number];

export interface Files {
  onnx: Buffer;
  tflite: Buffer;
  dataset: Buffer;
  bundle: Buffer;
  apk: Buffer;
  scenario: { video: Buffer; groundTruth: Buffer; manifest: Buffer };
}

const jsonl = (...lines: object[]) => Buffer.from(`${lines.map((l) => JSON.stringify(l)).join('\n')}\n`);

export class World {
  readonly tokens = new Map<Auth, string>();
  /** resource → names; `${resource}:${name}` → versions */
  readonly names = new Map<string, Set<string>>();
  readonly ids = new Map<string, Set<string>>();
  readonly lockTokens = new Map<string, string>();
  readonly idempotencyKeys: string[] = [];
  epoch = 0;
  otherEpoch = 0;
  instanceId: string = randomUUID();
  files!: Files;

  constructor(readonly api: TestApi) {}

  add(kind: string, value: string | undefined | null): void {
    if (typeof value !== 'string' || !value) return;
    let set = this.ids.get(kind);
    if (!set) this.ids.set(kind, (set = new Set()));
    if (set.size < 500) set.add(value);
  }
  get(kind: string): string[] {
    return [...(this.ids.get(kind) ?? [])];
  }
  addName(resource: string, name: string, version?: string): void {
    this.add(`${resource}:name`, name);
    if (version) {
      this.add(`${resource}:version`, version);
      this.add(`${resource}:pair`, `${name}\n${version}`);
    }
  }

  /** candidate strings for a property or path parameter by name */
  strings(key: string): string[] {
    const k = key.split('.').pop() as string;
    const all = (kind: string) => this.get(kind);
    const byKey: Record<string, () => string[]> = {
      model: () => all('models:name'),
      name: () => [...all('models:name'), ...all('datasets:name'), ...all('features:name'), ...all('scenarios:name'), ...all('policies:name'), TEST_AGENT],
      version: () => [...all('models:version'), ...all('datasets:version'), ...all('features:version'), ...all('scenarios:version')],
      baseline: () => all('models:version'),
      ids: () => all('device'),
      devices: () => all('device'),
      device: () => all('device'),
      deviceId: () => all('device'),
      gate: () => all('gate'),
      run: () => all('run'),
      lockToken: () => [...this.lockTokens.values()],
      instanceId: () => [this.instanceId],
      currentJobId: () => all('job'),
      jobId: () => all('job'),
      localKey: () => ['host', 'phone', 'browser-1'],
      agent: () => [TEST_AGENT, OTHER_AGENT],
      platform: () => ['android', 'linux', 'web', 'browser', '*'],
      channel: () => ['production', 'beta'],
      source: () => [policySource(), policySource('  - type: relative\n    metric: latency.p50\n    maxRatio: 1.1\n'), 'version: 1\nrules: []\n'],
      csv: () => ['model,share\nPixel 7,3\nSM-A155F,1\n', 'model,share,maker,soc,tier\nmoto e13,2,Motorola,Unisoc T606,low\n'],
      reason: () => ['seeded by the fuzz test'],
      file: () => ['phones.yaml'],
      key: () => ['x', 'batch', 'detector'],
      sha256: () => all('sha256'),
      models: () => [JSON.stringify({ classifier: { model: 'fuzz-cls', version: '1.0.0' } }), '{}', '{"a":{"model":"nope","version":"1"}}'],
      gitCommit: () => ['abcdef1', '0123456789abcdef0123456789abcdef01234567'],
    };
    return byKey[k]?.() ?? [];
  }

  /** A valid body for the routes whose bodies the schema sampler rarely gets right (cross-field rules, existing rows). */
  example(route: string, params: Record<string, string>, pick: <T>(xs: readonly T[]) => T): unknown {
    const version = () => pick(['1.0.0', '1.1.0']);
    const lockToken = params.jobId ? this.lockTokens.get(params.jobId) : undefined;
    const host = this.get('device')[0];
    switch (route) {
      case 'POST /v1/runs':
        return { model: 'fuzz-cls', version: version(), devices: pick([{ ids: [host] }, { platform: 'linux' }, { tiers: ['mid'], pick: 'one-per-tier' }]), benchmarks: pick([['latency'], ['latency', 'parity']]), settings: { inputShapes: { x: [1, 3, 48, 192] }, measureMinRuns: 3 } };
      case 'POST /v1/gates':
        return { model: 'fuzz-cls', version: version(), policy: pick([{ name: 'phones' }, { source: policySource(), file: 'phones.yaml' }]) };
      case 'POST /v1/gates/:id/reevaluate':
        return { policy: pick([{ name: 'phones' }, { source: policySource() }]) };
      case 'POST /v1/approvals':
        return { model: 'fuzz-cls', version: version(), reason: 'approved by the fuzz test', ...pick([{}, { platform: 'android', tier: 'low' }, { channel: 'beta' }]) };
      case 'POST /v1/approvals/:id/revoke':
        return { reason: 'revoked by the fuzz test' };
      case 'PUT /v1/releases/:app/:appVersion':
        return { models: [pick([{ name: 'fuzz-cls', version: '1.0.0' }, { name: 'fuzz-cls' }, { name: 'fuzz-lite', version: '1' }])] };
      case 'PUT /v1/populations/:name':
        return pick([{ entries: [{ model: 'Pixel 7', share: 2 }] }, { csv: 'model,share\nPixel 7,3\n' }]);
      case 'POST /v1/tokens':
        return pick([{ name: 'fuzz', role: 'viewer' }, { name: 'fuzz-agent', role: 'agent', agent: 'fuzz-made-agent' }, { name: 'fuzz-ci', role: 'ci', expiresAt: '2099-01-01T00:00:00Z' }]);
      case 'POST /v1/devices/:id/quarantine':
        return { reason: 'quarantined by the fuzz test' };
      case 'POST /v1/models/:name/policies':
        return { name: pick(['phones', 'phones-2']), source: policySource() };
      case 'POST /v1/agents/:agentId/heartbeat':
        return { devices: [{ localKey: pick(['host', 'phone']), status: pick(['idle', 'busy', 'unhealthy']), healthFailures: 0 }] };
      case 'POST /v1/agent/jobs/next':
        return { waitMs: 0 };
      case 'POST /v1/agent/jobs/:jobId/lock':
        return { lockToken };
      case 'POST /v1/agent/jobs/:jobId/start':
        return { attempt: 1, lockToken };
      case 'POST /v1/agent/jobs/:jobId/result':
        return { ...latencyResult(), lockToken };
      case 'POST /v1/agent/jobs/:jobId/failure':
        return { attempt: 1, error: 'failed in the fuzz test', final: pick([true, false]), lockToken };
      case 'POST /v1/agent/jobs/:jobId/release':
        return { lockToken, reason: 'handed back by the fuzz test' };
      default:
        return undefined;
    }
  }

  /** The auth headers for `auth`, with the calling agent's epoch when it acts as one. */
  authHeaders(auth: Auth): Record<string, string> {
    if (auth === 'none') return {};
    if (auth === 'malformed') return { authorization: 'Basic Zm9vOmJhcg==' };
    return { authorization: `Bearer ${this.tokens.get(auth) ?? 'ep_garbage'}` };
  }
  epochFor(auth: Auth): number {
    return auth === 'agent-other' ? this.otherEpoch : this.epoch;
  }

  private async call(method: string, url: string, auth: Auth, payload?: unknown, headers: Record<string, string> = {}) {
    const res = await this.api.app.inject({
      method: method as 'POST',
      url,
      headers: { ...this.authHeaders(auth), ...(auth.startsWith('agent') ? { [AGENT_EPOCH_HEADER]: String(this.epochFor(auth)) } : {}), ...headers },
      ...(payload === undefined ? {} : { payload: payload as string }),
    });
    if (res.statusCode >= 300) throw new Error(`seeding ${method} ${url}: ${res.statusCode} ${res.body}`);
    return res.statusCode === 204 ? null : res.json();
  }

  async seed(dir: string): Promise<void> {
    const api = this.api;
    for (const role of ['admin', 'ml_engineer', 'ci', 'agent', 'viewer'] as const) this.tokens.set(role, api.tokens[role]);
    this.tokens.set('agent-other', await api.agentToken(OTHER_AGENT));
    this.tokens.set('garbage', newTokenValue());
    const legacy = newTokenValue();
    await api.app.db.apiToken.create({ data: { name: 'legacy-agent', role: 'agent', tokenHash: hashToken(legacy) } });
    this.tokens.set('agent-legacy', legacy);
    const expired = newTokenValue();
    await api.app.db.apiToken.create({ data: { name: 'expired', role: 'ci', tokenHash: hashToken(expired), expiresAt: new Date(Date.now() - 1000) } });
    this.tokens.set('expired', expired);
    const revoked = await this.call('POST', '/v1/tokens', 'admin', { name: 'to-revoke', role: 'ci' });
    await this.call('POST', `/v1/tokens/${revoked.id}/revoke`, 'admin');
    this.tokens.set('revoked', revoked.token);
    this.add('token', revoked.id);

    const scene = writeScenario(join(dir, 'scene'), { seed: 5, durationSeconds: 1, name: 'fuzz-scene', version: '1' });
    this.files = {
      onnx: await readFile(thirdPartyModels.ocrDirectionClassifier),
      // a real (if tiny) TFLite model: uploads read its signature, a bare TFL3 header is refused
      tflite: Buffer.from(encodeTflite({ subgraphs: [{ tensors: [{ name: 'x', type: 'FLOAT32', shape: [1, 4] }, { name: 'y', type: 'FLOAT32', shape: [1, 4] }], inputs: [0], outputs: [1], operators: [{ op: 'RELU', inputs: [0], outputs: [1] }] }] })),
      dataset: jsonl(
        { format: 'edgeproof-dataset/v1', taskKind: 'classification', inputs: [{ name: 'x', elementType: 'float32', shape: [1, 4] }], labels: ['cat', 'dog'] },
        { inputs: { x: [0, 1, 2, 3] }, label: 0 },
        { inputs: { x: [3, 2, 1, 0] }, label: 1 },
      ),
      bundle: Buffer.from('export async function init() {}\nexport async function process() { return []; }\nexport async function dispose() {}\n'),
      apk: Buffer.concat([Buffer.from([0x50, 0x4b, 0x03, 0x04]), Buffer.alloc(26), Buffer.from('AndroidManifest.xml'), Buffer.alloc(32)]),
      scenario: { video: await readFile(scene.paths.video), groundTruth: await readFile(scene.paths.groundTruth), manifest: await readFile(scene.paths.manifest) },
    };

    await this.call('POST', '/v1/models', 'ci', { name: 'fuzz-cls', taskKind: 'classification', owner: 'fuzz' });
    await this.call('POST', '/v1/models', 'ml_engineer', { name: 'fuzz-lite', taskKind: 'other', owner: 'fuzz' });
    for (const version of ['1.0.0', '1.1.0']) {
      const v = await this.call('POST', '/v1/models/fuzz-cls/versions', 'ci', form({ version }, { file: this.files.onnx }));
      this.addName('models', 'fuzz-cls', version);
      this.add('sha256', v.sha256);
    }
    await this.call('POST', '/v1/models/fuzz-lite/versions', 'ci', form({ version: '1' }, { file: this.files.tflite }));
    this.addName('models', 'fuzz-lite', '1');
    const ds = await this.call('POST', '/v1/datasets', 'ml_engineer', form({ name: 'fuzz-data', version: '1' }, { file: this.files.dataset }));
    this.addName('datasets', 'fuzz-data', '1');
    this.add('sha256', ds.sha256);
    await this.call('POST', '/v1/scenarios', 'ml_engineer', form({}, this.files.scenario));
    this.addName('scenarios', 'fuzz-scene', '1');
    const models = JSON.stringify({ classifier: { model: 'fuzz-cls', version: '1.0.0' } });
    await this.call('POST', '/v1/features', 'ci', form({ name: 'fuzz-feature', version: '1.0.0', platform: 'web', models }, { file: this.files.bundle }));
    this.addName('features', 'fuzz-feature', '1.0.0');

    const device = (localKey: string, platform: string, tier: string) => ({ localKey, platform, driver: platform === 'linux' ? 'host' : platform, tier, runtimes: ['onnxruntime-node'], model: 'Pixel 7' });
    const reg = await this.call('POST', '/v1/agents/register', 'agent', { name: TEST_AGENT, instanceId: this.instanceId, devices: [device('host', 'linux', 'mid'), device('phone', 'android', 'low')] });
    this.learnRegistration('agent', reg);
    const other = await this.call('POST', '/v1/agents/register', 'agent-other', { name: OTHER_AGENT, devices: [device('host', 'linux', 'high')] });
    this.learnRegistration('agent-other', other);

    const host = this.get('device')[0] as string;
    const runBody = { model: 'fuzz-cls', version: '1.0.0', devices: { ids: [host] }, benchmarks: ['latency'], settings: { inputShapes: { x: [1, 3, 48, 192] } } };
    for (let i = 0; i < 3; i++) this.learn('POST /v1/runs', 201, await this.call('POST', '/v1/runs', 'ci', runBody), undefined);
    // one job done, one leased (running, with a lock token), one still queued
    const lease = await this.call('POST', '/v1/agent/jobs/next', 'agent', { waitMs: 0 });
    this.learn('POST /v1/agent/jobs/next', 200, lease, undefined);
    await this.call('POST', `/v1/agent/jobs/${lease.jobId}/start`, 'agent', { attempt: 1, lockToken: lease.lockToken });
    await this.call('POST', `/v1/agent/jobs/${lease.jobId}/result`, 'agent', { ...latencyResult(), lockToken: lease.lockToken });
    const running = await this.call('POST', '/v1/agent/jobs/next', 'agent', { waitMs: 0 });
    this.learn('POST /v1/agent/jobs/next', 200, running, undefined);
    await this.call('POST', `/v1/agent/jobs/${running.jobId}/start`, 'agent', { attempt: 1, lockToken: running.lockToken });

    await this.call('POST', '/v1/models/fuzz-cls/policies', 'ml_engineer', { name: 'phones', source: policySource() });
    this.addName('policies', 'phones');
    this.learn('POST /v1/gates', 201, await this.call('POST', '/v1/gates', 'ci', { model: 'fuzz-cls', version: '1.0.0', policy: { name: 'phones' } }), undefined);
    this.learn('POST /v1/approvals', 201, await this.call('POST', '/v1/approvals', 'admin', { model: 'fuzz-cls', version: '1.1.0', reason: 'seeded override' }), undefined);
    await this.call('PUT', '/v1/populations/fuzz-pop', 'ci', { entries: [{ model: 'Pixel 7', share: 3 }, { model: 'moto e13', share: 1, tier: 'low' }] });
    this.addName('populations', 'fuzz-pop');
    await this.call('PUT', '/v1/releases/fuzz-app/1.0.0', 'ci', { models: [{ name: 'fuzz-cls', version: '1.0.0' }] });
    this.addName('releases', 'fuzz-app', '1.0.0');
  }

  private learnRegistration(auth: Auth, reg: { agentId: string; epoch: number; instanceId: string; devices: Array<{ id: string }> }) {
    if (auth === 'agent') {
      this.epoch = reg.epoch;
      this.instanceId = reg.instanceId;
    } else this.otherEpoch = reg.epoch;
    this.add('agent', reg.agentId);
    for (const d of reg.devices) this.add('device', d.id);
  }

  /** Remembers what an accepted request created, so that later requests can name it. */
  learn(route: string, status: number, json: unknown, auth: Auth | undefined): void {
    if (status >= 300 || !json || typeof json !== 'object') return;
    const j = json as Record<string, unknown> & { jobs?: Array<{ id: string }> };
    const body = j as Record<string, string>;
    switch (route) {
      case 'POST /v1/runs':
        this.add('run', body.id);
        for (const job of j.jobs ?? []) this.add('job', job.id);
        break;
      case 'POST /v1/gates':
      case 'POST /v1/gates/:id/reevaluate':
        this.add('gate', body.id);
        this.add('run', body.runId);
        break;
      case 'POST /v1/approvals':
        this.add('approval', body.id);
        break;
      case 'POST /v1/tokens':
        this.add('token', body.id);
        break;
      case 'POST /v1/agent/jobs/next':
        if (body.jobId && body.lockToken) {
          this.add('job', body.jobId);
          this.lockTokens.set(body.jobId, body.lockToken);
        }
        break;
      case 'POST /v1/agents/register':
        if (auth === 'agent' || auth === 'agent-other') this.learnRegistration(auth, j as never);
        break;
      case 'POST /v1/models':
        this.addName('models', body.name as string);
        break;
      case 'POST /v1/models/:name/versions':
        this.addName('models', body.model as string, body.version);
        this.add('sha256', body.sha256);
        break;
      case 'POST /v1/datasets':
        this.addName('datasets', body.name as string, body.version);
        this.add('sha256', body.sha256);
        break;
      case 'POST /v1/features':
        this.addName('features', body.name as string, body.version);
        break;
      case 'POST /v1/scenarios':
        this.addName('scenarios', body.name as string, body.version);
        break;
      case 'POST /v1/models/:name/policies':
        this.addName('policies', body.name as string);
        break;
    }
  }
}

/** A multipart form as the clients build it (FormData), for seeding. */
function form(fields: Record<string, string>, files: Record<string, Buffer>): string {
  const f = new FormData();
  for (const [k, v] of Object.entries(fields)) f.append(k, v);
  for (const [k, bytes] of Object.entries(files)) f.append(k, new Blob([bytes]), k);
  return f as never;
}
