import { mkdtemp, rm, stat, readdir } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { chromium, type BrowserContext } from 'playwright-core';

export const webDir = new URL('../../', import.meta.url).pathname;

/** Debian's Chromium, headless, with a fresh profile; nothing is downloaded. */
export async function launchChromium(): Promise<{ context: BrowserContext; close(): Promise<void> }> {
  const userDataDir = await mkdtemp(join(tmpdir(), 'edgeproof-chromium-'));
  const context = await chromium.launchPersistentContext(userDataDir, {
    executablePath: process.env.CHROMIUM_PATH ?? '/usr/bin/chromium',
    headless: true,
    viewport: { width: 1280, height: 900 },
    args: ['--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'],
  });
  return {
    context,
    close: async () => {
      await context.close();
      await rm(userDataDir, { recursive: true, force: true });
    },
  };
}

async function newestMtime(dir: string): Promise<number> {
  const entries = await readdir(dir, { recursive: true, withFileTypes: true });
  const times = await Promise.all(entries.filter((e) => e.isFile()).map(async (e) => (await stat(join(e.parentPath, e.name))).mtimeMs));
  return Math.max(0, ...times);
}

/** Builds apps/web with Vite when dist/ is missing or older than the sources (about 2 s). */
export async function ensureWebBuilt(): Promise<void> {
  const index = join(webDir, 'dist', 'index.html');
  const built = await stat(index).then((s) => s.mtimeMs, () => 0);
  const sources = Math.max(await newestMtime(join(webDir, 'src')), (await stat(join(webDir, 'index.html'))).mtimeMs, (await stat(join(webDir, 'vite.config.ts'))).mtimeMs);
  if (built > sources) return;
  const { build } = await import('vite');
  await build({ root: webDir, configFile: join(webDir, 'vite.config.ts'), logLevel: 'warn' });
}
