import { spawn } from 'node:child_process';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { buildZoo, defaultZooDir, ZOO_FILES } from '@edgeproof/model-zoo';
import { XMLValidator } from 'fast-xml-parser';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { buildCli, packCli } from '../scripts/build.ts';
import { registryEnv, startStack, type Stack } from './support/stack.ts';

const actionDir = join(import.meta.dirname, '../../../.github/actions/gate');

const POLICY = (maxSize: string) => `version: 1
name: action-test
devices: { tiers: [mid] }
confirm: false
settings: { dims: { batch: 1 }, warmupMinSeconds: 0.1, measureMinRuns: 30, measureMinSeconds: 0.3 }
statistics: { minSamples: 30 }
rules:
  - type: threshold
    metric: latency.p90
    max: 10s
  - type: threshold
    metric: model.size
    max: ${maxSize}
`;

interface ActionYml {
  inputs: Record<string, { required: boolean; default?: string }>;
  outputs: Record<string, { value: string }>;
  runs: { using: string; steps: { id?: string; run?: string; env?: Record<string, string> }[] };
}

/** The composite action's step as GitHub runs it: gate.sh with the INPUT_* env action.yml maps, against the real API. */
describe('GitHub Action .github/actions/gate (its step script against a real API and host device)', () => {
  let stack: Stack;
  let dir = '';
  let tarball = '';
  let model = '';

  beforeAll(async () => {
    await buildZoo(defaultZooDir());
    model = join(defaultZooDir(), ZOO_FILES.mnistMlp);
    dir = await mkdtemp(join(tmpdir(), 'ep-action-'));
    const built = await buildCli(join(dir, 'dist'));
    tarball = packCli(built.distDir, dir);
    stack = await startStack();
  }, 300_000);
  afterAll(async () => {
    await stack?.close();
    if (dir) await rm(dir, { recursive: true, force: true });
  });

  async function runAction(name: string, inputs: Record<string, string>) {
    const workspace = await mkdtemp(join(dir, `${name}-`));
    const summary = join(workspace, 'summary.md');
    const output = join(workspace, 'output.txt');
    await writeFile(summary, '');
    await writeFile(output, '');
    const action = parse(await readFile(join(actionDir, 'action.yml'), 'utf8')) as ActionYml;
    const step = action.runs.steps.find((s) => s.id === 'gate');
    // the env the runner would give the step: each INPUT_* from its input (or its default)
    const env: Record<string, string> = { ...registryEnv(), RUNNER_TEMP: workspace, GITHUB_STEP_SUMMARY: summary, GITHUB_OUTPUT: output };
    for (const [key, expr] of Object.entries(step?.env ?? {})) {
      const input = /^\$\{\{ inputs\.([a-z-]+) \}\}$/.exec(expr)?.[1] ?? '';
      env[key] = inputs[input] ?? action.inputs[input]?.default ?? '';
    }
    const code = await new Promise<number | null>((resolve, reject) => {
      const child = spawn('bash', [join(actionDir, 'gate.sh')], { cwd: workspace, env, stdio: ['ignore', 'pipe', 'pipe'] });
      let log = '';
      child.stdout.on('data', (c: Buffer) => (log += c.toString()));
      child.stderr.on('data', (c: Buffer) => (log += c.toString()));
      const timer = setTimeout(() => {
        console.error(`gate.sh still running after 150 s:\n${log}`);
        child.kill();
      }, 150_000);
      child.on('error', reject);
      child.on('close', (c) => {
        clearTimeout(timer);
        if (c !== 0 && c !== 1) console.error(log);
        resolve(c);
      });
    });
    const outputs = Object.fromEntries((await readFile(output, 'utf8')).trim().split('\n').map((l) => l.split(/=(.*)/s).slice(0, 2) as [string, string]));
    return { code, workspace, outputs, summary: await readFile(summary, 'utf8') };
  }

  it('declares the inputs a workflow gives it and maps every one into the step', async () => {
    const action = parse(await readFile(join(actionDir, 'action.yml'), 'utf8')) as ActionYml;
    expect(action.runs.using).toBe('composite');
    for (const input of ['url', 'token', 'model', 'file', 'version', 'policy-name', 'policy']) expect(action.inputs).toHaveProperty(input);
    for (const required of ['url', 'token', 'model', 'version']) expect(action.inputs[required]?.required).toBe(true);
    const env = action.runs.steps.find((s) => s.id === 'gate')?.env ?? {};
    expect(Object.values(env).sort()).toEqual(Object.keys(action.inputs).filter((i) => i !== 'node-version').map((i) => `\${{ inputs.${i} }}`).sort());
    expect(Object.keys(action.outputs).sort()).toEqual(['exit-code', 'gate-id', 'junit', 'markdown', 'verdict']);
  });

  it('installs the CLI, passes a model that meets the policy, and posts the summary', async () => {
    const policy = join(dir, 'pass.yaml');
    await writeFile(policy, POLICY('5MB'));
    const res = await runAction('pass', { cli: tarball, url: stack.api.url, token: stack.api.tokens.ci, model: 'action-mnist', version: '1.0.0', file: model, policy });
    expect(res.code).toBe(0);
    expect(res.outputs).toMatchObject({ verdict: 'pass', 'exit-code': '0', junit: 'edgeproof-junit.xml', markdown: 'edgeproof-summary.md' });
    expect(res.outputs['gate-id']).toMatch(/^[0-9a-f-]{36}$/);
    expect(res.summary).toContain('### edgeproof gate: ✅');
    expect(res.summary).toContain('| model.size ≤ 5MB |');
    expect(XMLValidator.validate(await readFile(join(res.workspace, 'edgeproof-junit.xml'), 'utf8'))).toBe(true);
  }, 180_000);

  it('fails the step on a failing rule (exit 1, verdict fail) and still posts the summary', async () => {
    const policy = join(dir, 'fail.yaml');
    await writeFile(policy, POLICY('1KB'));
    const res = await runAction('fail', { cli: tarball, url: stack.api.url, token: stack.api.tokens.ci, model: 'action-mnist', version: '1.0.0', policy });
    expect(res.code).toBe(1);
    expect(res.outputs).toMatchObject({ verdict: 'fail', 'exit-code': '1' });
    expect(res.summary).toContain('### edgeproof gate: ❌');
  }, 180_000);

  it('refuses a bad token with exit 4 (error) and says why in the summary', async () => {
    const policy = join(dir, 'pass.yaml');
    const res = await runAction('denied', { cli: tarball, url: stack.api.url, token: 'not-a-token', model: 'action-mnist', version: '1.0.0', policy });
    expect(res.code).toBe(4);
    expect(res.outputs).toMatchObject({ verdict: 'error', 'exit-code': '4' });
    expect(res.summary).toContain('unauthorized');
  }, 120_000);
});
