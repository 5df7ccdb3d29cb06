/**
 * Chromium keeps its sandbox wherever it does not run as root: the decision, and a real headless
 * Chromium started by a non-root user with exactly the flags the driver gives it (no --no-sandbox),
 * which Chromium refuses to do unless its sandbox comes up.
 */
import { execFile } from 'node:child_process';
import { chmod, mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { describe, expect, it } from 'vitest';
import { resolveOptions } from '../src/browser/options.ts';
import { HEADLESS_ARGS, keepsSandbox, sandboxArgs } from '../src/web-harness/chromium.ts';

const run = promisify(execFile);
const NOBODY = 65534;

describe("Chromium's sandbox", () => {
  it('is kept unless a local Chromium runs as root, and can be forced either way', () => {
    expect(keepsSandbox('auto', 'http://127.0.0.1:4723', 0)).toBe(false);
    expect(keepsSandbox('auto', 'http://localhost:4723', 1000)).toBe(true);
    // a farm's browsers run as whoever runs them there
    expect(keepsSandbox('auto', 'https://hub.farm.example/wd/hub', 0)).toBe(true);
    expect(keepsSandbox(true, 'http://127.0.0.1:4723', 0)).toBe(true);
    expect(keepsSandbox(false, 'https://hub.farm.example/wd/hub', 1000)).toBe(false);
    expect(sandboxArgs(true)).toEqual([]);
    expect(sandboxArgs(false)).toEqual(['--no-sandbox']);
    expect(HEADLESS_ARGS).not.toContain('--no-sandbox');
    expect(resolveOptions({ sandbox: false }).sandbox).toBe(false);
  });

  it('comes up in a real Chromium started by a non-root user with the driver\'s flags', async () => {
    const asRoot = process.getuid?.() === 0;
    const uid = asRoot ? NOBODY : (process.getuid?.() as number);
    const args = [...HEADLESS_ARGS, ...sandboxArgs(keepsSandbox('auto', 'http://127.0.0.1:4723', uid))];
    expect(args).not.toContain('--no-sandbox');
    const profile = await mkdtemp(join(tmpdir(), 'ep-sandbox-'));
    await chmod(profile, 0o777);
    try {
      const chromium = ['/usr/bin/chromium', ...args, `--user-data-dir=${profile}`, '--dump-dom', 'data:text/html,<p id=x>sandboxed</p>'];
      const [cmd, ...rest] = asRoot ? ['runuser', '-u', 'nobody', '--', ...chromium] : chromium;
      const { stdout } = await run(cmd as string, rest, { timeout: 60_000 });
      expect(stdout).toContain('<p id="x">sandboxed</p>');
    } finally {
      await rm(profile, { recursive: true, force: true });
    }
  }, 90_000);
});
