import { mkdir, mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { repoRoot } from '@edgeproof/testkit';
import type { BrowserContext } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { seedFeatureEvaluation } from '../../api/test/feature-seed.ts';
import { startTestApi, type TestApi } from '../../api/test/helpers.ts';
import { ensureWebBuilt, launchChromium } from './support/browser.ts';

const screenshots = join(repoRoot, 'test-output', 'screenshots');

describe('feature evaluations page in a real browser against the real API', () => {
  let api: TestApi;
  let dir: string;
  let browser: { context: BrowserContext; close(): Promise<void> };

  beforeAll(async () => {
    await ensureWebBuilt();
    await mkdir(screenshots, { recursive: true });
    api = await startTestApi({}, { listen: true });
    dir = await mkdtemp(join(tmpdir(), 'ep-web-features-'));
    await seedFeatureEvaluation(api, dir, { seconds: 20, costSamples: 600 });
    browser = await launchChromium();
  });
  afterAll(async () => {
    await browser?.close();
    await api?.close();
    if (dir) await rm(dir, { recursive: true, force: true });
  });

  it('shows the tracking table, draws the latency timeline and the CPU/memory series, and says which readings are unavailable', async () => {
    const page = await browser.context.newPage();
    await page.goto(api.url);
    await page.getByLabel('API token').fill(api.tokens.viewer);
    await page.getByRole('button', { name: 'Sign in' }).click();
    await page.getByTestId('role').waitFor();
    await page.getByRole('link', { name: 'Feature evaluations' }).click();

    const table = page.getByTestId('features-table');
    await table.waitFor();
    const text = (await table.textContent()) ?? '';
    for (const label of ['MOTA', 'MOTP', 'IDF1', 'ID switches', 'FP / FN', 'precision', 'recall', 'time to first result p50', 'flickers', 'latency p50 / p90', 'FPS', 'dropped']) expect(text).toContain(label);
    expect(text).toContain('item-finder 1.0.0');
    expect(text).toMatch(/\d+(\.\d+)? ms \/ \d+(\.\d+)? ms/);
    expect(await table.locator('td.unavailable').count()).toBeGreaterThanOrEqual(2); // temperature and battery

    const timeline = page.locator('[data-chart="feature-latency"][data-rendered="true"] svg[aria-description]');
    await timeline.waitFor();
    // 300 frames downsampled by the API to at most 300 points: one dot per point
    const dots = await timeline.locator('g[aria-label="dot"] circle').count();
    expect(dots).toBeGreaterThan(50);
    expect(dots).toBeLessThanOrEqual(300);
    expect(await timeline.textContent()).toContain('latency (ms)');
    for (const key of ['cpuPercent', 'rssMiB']) {
      const chart = page.locator(`[data-chart="feature-cost-${key}"][data-rendered="true"] svg[aria-description]`);
      await chart.waitFor();
      expect(await chart.locator('g[aria-label="line"] path').count()).toBe(1);
    }
    for (const key of ['temperatureC', 'batteryPercent']) expect(await page.locator(`[data-unavailable="${key}"]`).textContent()).toContain('unavailable');
    await page.screenshot({ path: join(screenshots, 'features.png'), fullPage: true });
  });
});
