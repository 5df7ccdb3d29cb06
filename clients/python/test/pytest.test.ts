import { spawn, spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { cp, mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { buildZoo, defaultZooDir, ZOO_FILES } from '@edgeproof/model-zoo';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startStack, type Stack } from '../../../apps/cli/test/support/stack.ts';

const pkgDir = join(import.meta.dirname, '..');

/** Debian's python3 (python3-pytest, -setuptools, -wheel, -venv from apt: .ci/run), unless PYTHON says otherwise. */
function python(): string {
  const candidates = [process.env.PYTHON, '/usr/bin/python3', 'python3'].filter((c): c is string => Boolean(c));
  const usable = candidates.find((c) => spawnSync(c, ['-c', 'import pytest, setuptools, venv'], { stdio: 'ignore' }).status === 0);
  if (!usable) throw new Error(`no python3 with pytest and setuptools among ${candidates.join(', ')}: apt-get install python3-pytest python3-setuptools python3-wheel python3-venv`);
  return usable;
}

function run(cmd: string, args: string[], env: Record<string, string>): Promise<{ code: number | null; output: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn(cmd, args, { cwd: pkgDir, env, stdio: ['ignore', 'pipe', 'pipe'] });
    let output = '';
    child.stdout.on('data', (c: Buffer) => (output += c.toString()));
    child.stderr.on('data', (c: Buffer) => (output += c.toString()));
    child.on('error', reject);
    child.on('close', (code) => resolve({ code, output }));
  });
}

/**
 * The Python client's pytest suite (clients/python/tests), run by `npm test`: the package is
 * installed with pip into a fresh virtual environment (offline: Debian's setuptools build it), then
 * its tests talk to the real API and a real agent on the host CPU.
 */
describe('Python client (clients/python): pip install, then pytest against the real API', () => {
  let stack: Stack;
  let venv = '';
  const base = { PATH: process.env.PATH ?? '', HOME: process.env.HOME ?? '' };

  beforeAll(async () => {
    await buildZoo(defaultZooDir());
    stack = await startStack();
    venv = await mkdtemp(join(tmpdir(), 'ep-py-'));
  }, 180_000);
  afterAll(async () => {
    await stack?.close();
    if (venv) await rm(venv, { recursive: true, force: true });
  });

  it('installs with pip from the source folder, without a download', async () => {
    const made = await run(python(), ['-m', 'venv', '--system-site-packages', venv], base);
    expect(made.code, made.output).toBe(0);
    // a copy, so that setuptools' build/ and egg-info land in the temporary folder, not the checkout
    const source = join(venv, 'source');
    await cp(pkgDir, source, { recursive: true, filter: (p) => !/(__pycache__|\.egg-info|\/build|\.pytest_cache)$/.test(p) });
    const pip = await run(join(venv, 'bin/python'), ['-m', 'pip', 'install', '--no-index', '--no-build-isolation', '--disable-pip-version-check', source], base);
    expect(pip.code, pip.output).toBe(0);
    const imported = await run(join(venv, 'bin/python'), ['-c', 'import edgeproof, os; print(edgeproof.__version__, os.path.dirname(edgeproof.__file__))'], { ...base, PYTHONNOUSERSITE: '1' });
    expect(imported.output).toMatch(new RegExp(`^0\\.1\\.0 ${venv.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}/lib/python3[.\\d]+/site-packages/edgeproof$`, 'm'));
  }, 120_000);

  it('passes its pytest suite: profile on the host device, results, a failing gate, a bad token', async () => {
    const interpreter = join(venv, 'bin/python');
    expect(existsSync(interpreter)).toBe(true);
    const zooDir = defaultZooDir();
    const res = await run(interpreter, ['-B', '-m', 'pytest', '-q', '-p', 'no:cacheprovider', 'tests'], {
      ...base,
      EDGEPROOF_URL: stack.api.url,
      EDGEPROOF_TOKEN: stack.api.tokens.ci,
      EDGEPROOF_TEST_MODEL: join(zooDir, ZOO_FILES.mnistMlp),
      EDGEPROOF_TEST_DATASET: join(zooDir, ZOO_FILES.mnistTest),
    });
    expect(res.code, res.output).toBe(0);
    expect(res.output).toMatch(/\b9 passed\b/);
    expect(res.output).not.toMatch(/skipped/);
  }, 240_000);
});
