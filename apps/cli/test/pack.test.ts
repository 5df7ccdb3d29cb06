import { execFile } from 'node:child_process';
import { mkdtemp, readFile, rm, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { buildZoo, defaultZooDir, ZOO_FILES } from '@edgeproof/model-zoo';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildCli, packCli } from '../scripts/build.ts';
import { registryEnv, startStack, type Stack } from './support/stack.ts';

const run = promisify(execFile);
/** Short measurements: the point is the installed package working end to end, not the numbers. */
const FAST = JSON.stringify({ warmupMinSeconds: 0.1, measureMinRuns: 30, measureMinSeconds: 0.3, measureMaxRuns: 3000, accuracyMaxSamples: 50 });

interface ProfileJson {
  run: { id: string; status: string };
  modelVersion: { sizeBytes: number };
  results: { device: string; benchmark: string; status: string; p50Ms: number | null; p90Ms: number | null; p99Ms: number | null; sessionCreateMs: number | null; firstInferenceMs: number | null; top1: number | null; sizeBytes: number }[];
}

describe('the published CLI: npm pack → npm install in an empty folder → edgeproof against a real API and host device', () => {
  let stack: Stack;
  let home = '';
  let bin = '';
  let version = '';
  let model = '';

  beforeAll(async () => {
    const zooDir = defaultZooDir();
    const zoo = await buildZoo(zooDir);
    model = join(zooDir, ZOO_FILES.mnistMlp);
    home = await mkdtemp(join(tmpdir(), 'ep-cli-install-'));
    const built = await buildCli(join(home, 'dist'));
    version = built.version;
    const tarball = packCli(built.distDir, home);
    const project = join(home, 'project');
    await run('mkdir', ['-p', project]);
    await run('npm', ['install', '--no-audit', '--no-fund', '--loglevel=error', tarball], { cwd: project, env: registryEnv(), timeout: 240_000 });
    bin = join(project, 'node_modules/@edgeproof/cli/edgeproof.js');
    stack = await startStack();
    const form = new FormData();
    form.append('name', 'mnist-test');
    form.append('version', '1');
    form.append('file', new Blob([await readFile(join(zooDir, zoo.files.mnistTest.file))]), 'mnist-test.jsonl');
    const up = await stack.api.app.inject({ method: 'POST', url: '/v1/datasets', headers: stack.api.auth('ci'), payload: form });
    expect(up.statusCode, up.body).toBe(201);
  }, 300_000);
  afterAll(async () => {
    await stack?.close();
    if (home) await rm(home, { recursive: true, force: true });
  });

  it('installs only the bundle and registry packages, and answers --version and --help', async () => {
    const installed = JSON.parse(await readFile(join(home, 'project/node_modules/@edgeproof/cli/package.json'), 'utf8')) as { dependencies: Record<string, string>; bin: Record<string, string> };
    expect(Object.keys(installed.dependencies).filter((d) => d.startsWith('@edgeproof/'))).toEqual([]);
    expect(installed.bin).toEqual({ edgeproof: 'edgeproof.js' });
    expect((await stat(join(home, 'project/node_modules/.bin/edgeproof'))).isFile()).toBe(true);
    const v = await stack.cli(['--version'], { bin });
    expect(v).toMatchObject({ code: 0, stdout: `${version}\n` });
    const help = await stack.cli(['profile', '--help'], { bin });
    expect(help.code).toBe(0);
    expect(help.stdout).toContain('Usage: edgeproof profile [options]');
    expect(help.stdout).toContain('4 usage or API error');
  });

  it('profile --wait --json uploads, creates the model, measures on the host device and prints the results', async () => {
    const args = ['profile', '--model', 'digits', '--file', model, '--devices', 'tier=mid', '--benchmarks', 'latency,accuracy', '--dataset', 'mnist-test@1', '--dims', 'batch=1', '--settings', FAST];
    const res = await stack.cli([...args, '--wait', '--timeout', '2m', '--json'], { bin });
    expect(res.code, res.stderr).toBe(0);
    expect(res.stderr).toMatch(/^uploaded: digits 0\.0\.0-[0-9a-f]{12} /m);
    const out = JSON.parse(res.stdout) as ProfileJson;
    expect(out.run.status).toBe('succeeded');
    expect(out.modelVersion.sizeBytes).toBe((await stat(model)).size);
    const latency = out.results.find((r) => r.benchmark === 'latency');
    expect(latency).toMatchObject({ device: 'host', status: 'succeeded', sizeBytes: out.modelVersion.sizeBytes });
    for (const k of ['p50Ms', 'p90Ms', 'p99Ms', 'sessionCreateMs', 'firstInferenceMs'] as const) expect(latency?.[k]).toBeGreaterThan(0);
    expect(latency?.p50Ms).toBeLessThanOrEqual(latency?.p99Ms ?? 0);
    expect(out.results.find((r) => r.benchmark === 'accuracy')?.top1).toBeGreaterThan(0.5);

    // the same bytes again: already stored, a new run; CSV has a header and a row per job
    const csv = await stack.cli([...args.slice(0, 7), '--benchmarks', 'latency', '--dims', 'batch=1', '--settings', FAST, '--wait', '--csv'], { bin });
    expect(csv.code, csv.stderr).toBe(0);
    expect(csv.stderr).toContain('already stored: digits 0.0.0-');
    const lines = csv.stdout.trim().split('\n');
    expect(lines[0]).toMatch(/^device,platform,tier,benchmark,version,status,p50Ms,p90Ms,p99Ms,sessionCreateMs,firstInferenceMs,peakMemoryBytes,sizeBytes,/);
    expect(lines).toHaveLength(2);
    expect(lines[1]).toMatch(/^host,[^,]+,mid,latency,0\.0\.0-[0-9a-f]{12},succeeded,\d/);
  }, 180_000);

  it('exits 4 on usage and API errors, with the API error code', async () => {
    const usage = await stack.cli(['profile', '--file', model], { bin });
    expect(usage.code).toBe(4);
    expect(usage.stderr).toContain("required option '--model <name>' not specified");
    const badDevices = await stack.cli(['profile', '--model', 'digits', '--file', model, '--devices', 'colour=red'], { bin });
    expect(badDevices.code).toBe(4);
    expect(badDevices.stderr).toContain('--devices: "colour=red" is not key=value');
    const denied = await stack.cli(['profile', '--model', 'digits', '--file', model, '--wait'], { bin, role: 'viewer' });
    expect(denied.code).toBe(4);
    expect(denied.stderr).toMatch(/^edgeproof: HTTP 403 forbidden: /m);
  });
});
