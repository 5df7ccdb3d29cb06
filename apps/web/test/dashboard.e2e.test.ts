import { mkdir } from 'node:fs/promises';
import { join } from 'node:path';
import { repoRoot } from '@edgeproof/testkit';
import type { BrowserContext, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestApi, type TestApi } from '../../api/test/helpers.ts';
import { ensureWebBuilt, launchChromium } from './support/browser.ts';
import { postResult, seedDashboard, type Seeded } from '../../api/test/dashboard-seed.ts';

const screenshots = join(repoRoot, 'test-output', 'screenshots');

describe('dashboard in a real browser against the real API', () => {
  let api: TestApi;
  let seeded: Seeded;
  let browser: { context: BrowserContext; close(): Promise<void> };

  beforeAll(async () => {
    await ensureWebBuilt();
    await mkdir(screenshots, { recursive: true });
    api = await startTestApi({}, { listen: true });
    seeded = await seedDashboard(api, { devices: 3, samplesPerJob: 400, withAccuracy: true });
    browser = await launchChromium();
  });
  afterAll(async () => {
    await browser?.close();
    await api?.close();
  });

  async function signIn(page: Page, token: string) {
    await page.goto(api.url);
    await page.getByLabel('API token').fill(token);
    await page.getByRole('button', { name: 'Sign in' }).click();
    await page.getByTestId('role').waitFor();
  }

  it('serves the built page without a token while every /v1 call needs one', async () => {
    const index = await fetch(`${api.url}/devices`);
    expect(index.status).toBe(200);
    expect(await index.text()).toContain('<div id="root">');
    const asset = (await (await fetch(api.url)).text()).match(/src="(\/assets\/[^"]+\.js)"/)?.[1];
    expect(asset).toBeDefined();
    const js = await fetch(`${api.url}${asset}`, { headers: { 'accept-encoding': 'br' } });
    expect(js.status).toBe(200);
    expect(js.headers.get('content-encoding')).toBe('br');
    expect((await fetch(`${api.url}/v1/dashboard/models`)).status).toBe(401);
    const unknown = await fetch(`${api.url}/v1/no-such-route`, { headers: api.auth('viewer') });
    expect(unknown.status).toBe(404);
    expect(((await unknown.json()) as { error: { code: string } }).error.code).toBe('not_found');
  });

  it('admin: models, a version with table and charts, approve and see the badge, devices, approvals, trends', async () => {
    const page = await browser.context.newPage();
    await signIn(page, api.tokens.admin);
    await expect.poll(() => page.getByTestId('role').textContent()).toBe('admin');

    const row = page.locator('tr[data-model="mnist-mlp"]');
    await row.waitFor();
    expect(await row.textContent()).toContain('not approved');
    await page.screenshot({ path: join(screenshots, 'models.png'), fullPage: true });

    await row.getByRole('link', { name: '1.1.0' }).click();
    await page.locator('[data-chart="latency-box"][data-rendered="true"] svg[aria-description]').waitFor();
    // one box (a rect) and one whisker per device and role: 3 devices × candidate/baseline
    expect(await page.locator('[data-chart="latency-box"] svg[aria-description] g[aria-label="bar"] rect').count()).toBe(6);
    expect(await page.locator('[data-chart="latency-box"] svg[aria-description] g[aria-label="rule"] line').count()).toBe(6);
    const table = page.getByTestId('device-table');
    for (const key of seeded.localKeys) expect(await table.textContent()).toContain(key);
    expect(await table.locator('tbody tr').count()).toBe(6);
    expect(await table.textContent()).toMatch(/\d+(\.\d+)? ms/);
    // candidate vs baseline: one interval per device, every median 8% slower by construction
    await page.locator('[data-chart="latency-delta"] svg[aria-description]').waitFor();
    expect(await page.locator('[data-chart="latency-delta"] svg[aria-description] g[aria-label="dot"] path').count()).toBe(3);
    expect(await page.getByTestId('comparison-table').locator('tr[data-assessment="worse"]').count()).toBeGreaterThanOrEqual(3);
    await page.screenshot({ path: join(screenshots, 'model-version.png'), fullPage: true });

    const form = page.getByTestId('approve-form');
    await form.getByLabel('reason').fill('dashboard e2e: override without a gate');
    await form.getByRole('button', { name: /Approve/ }).click();
    await expect.poll(() => page.getByTestId('version-approvals').textContent()).toContain('production: any platform · any tier');
    await page.getByRole('link', { name: 'Models' }).first().click();
    await expect.poll(() => page.locator('tr[data-model="mnist-mlp"]').textContent()).toContain('production: any platform · any tier → 1.1.0');

    await page.getByRole('link', { name: 'Devices' }).click();
    await page.getByTestId('devices-table').waitFor();
    expect(await page.getByTestId('devices-table').locator('tbody tr').count()).toBe(3);
    expect(await page.getByTestId('devices-table').textContent()).toContain('°C');
    await page.locator('[data-chart="utilisation"] svg[aria-description]').waitFor();
    expect(await page.locator('[data-chart="utilisation"] svg[aria-description] g[aria-label="cell"] rect').count()).toBe(3 * 24);
    expect(await page.getByRole('button', { name: 'Quarantine' }).count()).toBe(3);
    await page.screenshot({ path: join(screenshots, 'devices.png'), fullPage: true });

    await page.getByRole('link', { name: 'Approvals' }).click();
    await page.getByTestId('audit-table').waitFor();
    expect(await page.getByTestId('audit-table').textContent()).toContain('override');
    await page.screenshot({ path: join(screenshots, 'approvals.png'), fullPage: true });

    await page.getByRole('link', { name: 'Trends' }).click();
    const trend = page.locator('[data-axis="time"] [data-chart="trend"] svg[aria-description]');
    await trend.waitFor();
    expect(await trend.locator('g[aria-label="dot"] path').count()).toBe(6);
    expect(await trend.textContent()).toContain('★ approved');
    // a time axis: its label, and the version names drawn at their upload dates
    expect(await trend.locator('g[aria-label="x-axis label"]').textContent()).toContain('version upload date (UTC)');
    expect(await trend.locator('g[aria-label="x-axis tick label"] text').count()).toBeGreaterThanOrEqual(2);
    // (each text's content is followed by its <title> tooltip)
    expect(await trend.locator('g[aria-label="text"] text').allTextContents()).toEqual(
      expect.arrayContaining([expect.stringMatching(/^1\.0\.01\.0\.0, uploaded /), expect.stringMatching(/^1\.1\.01\.1\.0, uploaded /), expect.stringMatching(/^★ approved/)]),
    );
    expect(await trend.locator('g[aria-label="y-axis label"]').textContent()).toContain('p50 latency (ms)');
    await page.screenshot({ path: join(screenshots, 'trends.png'), fullPage: true });

    // revoke the approval made above: the badge goes away
    await page.getByRole('link', { name: 'Approvals' }).click();
    const active = page.locator('[data-testid="approvals-table"] tr[data-state="active"]');
    await expect.poll(() => active.count()).toBe(1);
    const id = await active.getAttribute('data-approval');
    await active.getByRole('button', { name: 'Revoke the approval of mnist-mlp 1.1.0 (production)' }).click();
    const revokeForm = page.getByTestId('revoke-form');
    await revokeForm.getByLabel('reason').fill('dashboard e2e: revoke the override');
    await revokeForm.getByRole('button', { name: 'Confirm revoke' }).click();
    await expect.poll(() => page.locator(`tr[data-approval="${id}"]`).getAttribute('data-state')).toBe('revoked');
    expect(await page.locator(`tr[data-approval="${id}"]`).textContent()).toContain('dashboard e2e: revoke the override');
    expect(await page.getByTestId('audit-table').locator('td', { hasText: /^revoke$/ }).count()).toBe(1);
    expect(await page.getByRole('button', { name: /^Revoke/ }).count()).toBe(0);
    await page.screenshot({ path: join(screenshots, 'approvals-revoked.png'), fullPage: true });
    await page.getByRole('link', { name: 'Models' }).first().click();
    await expect.poll(() => page.locator('tr[data-model="mnist-mlp"]').textContent()).toContain('not approved');
    expect(await page.locator('tr[data-model="mnist-mlp"]').textContent()).not.toContain('→ 1.1.0');
    await page.close();
  });

  it('version page: a job measured on two runtimes shows them side by side, with the baseline', async () => {
    // the first device's candidate latency also ran on LiteRT.js (settings.runtimes), 2× faster
    const job = seeded.jobs.find((j) => j.benchmark === 'latency' && j.role === 'candidate' && j.device.id === seeded.deviceIds[0])!;
    await api.app.sql.query(
      `UPDATE "Result" SET environment = environment || jsonb_build_object('runtimes', jsonb_build_array(jsonb_build_object(
         'runtime', 'litert/wasm', 'rawSamples', '[]'::jsonb,
         'summary', jsonb_set(summary, '{stats,p50}', to_jsonb((summary #>> '{stats,p50}')::float8 / 2)),
         'environment', environment || '{"runtime": "litert", "runtimeVersion": "2.1.0", "executionProvider": "wasm"}'::jsonb)))
       WHERE "jobId" = $1::uuid`,
      [job.id],
    );
    const page = await browser.context.newPage();
    await signIn(page, api.tokens.viewer);
    await page.goto(`${api.url}/models/mnist-mlp/versions/1.1.0?run=${seeded.runId}`);
    const table = page.getByTestId('runtimes-table');
    await table.waitFor();
    const rows = table.locator('tbody tr');
    const texts = await rows.allTextContents();
    const first = texts.filter((t) => t.includes(seeded.localKeys[0]!));
    expect(first).toHaveLength(3);
    expect(first[0]).toMatch(/1\.1\.0.*litert\/wasm 2\.1\.0/);
    expect(first[1]).toMatch(/1\.1\.0.*onnxruntime-node 1\.30\.0/);
    expect(first[2]).toMatch(/1\.0\.0.*baseline.*onnxruntime-node/);
    // the figures themselves: LiteRT's p50 is half of onnxruntime's, as stored
    const p50 = async (i: number) => Number((await rows.nth(i).locator('td').nth(3).textContent())?.replace(/[^\d.]/g, ''));
    expect((await p50(0)) / (await p50(1))).toBeCloseTo(0.5, 1);
    expect(await rows.count()).toBe(7);
    await page.screenshot({ path: join(screenshots, 'runtimes.png'), fullPage: true });
    await page.close();
  });

  it('run page refreshes by itself as jobs finish', async () => {
    const res = await fetch(`${api.url}/v1/runs`, {
      method: 'POST',
      headers: { ...api.auth('ml_engineer'), 'content-type': 'application/json' },
      body: JSON.stringify({ model: 'mnist-mlp', version: '1.1.0', devices: { ids: seeded.deviceIds.slice(0, 2) }, benchmarks: ['latency'], settings: { dims: { batch: 1 } } }),
    });
    const run = (await res.json()) as Seeded & { id: string; jobs: Seeded['jobs'] };
    const page = await browser.context.newPage();
    await signIn(page, api.tokens.viewer);
    await page.goto(`${api.url}/runs/${run.id}`);
    await page.getByTestId('run-jobs').waitFor();
    expect(await page.locator('tr[data-status="queued"]').count()).toBe(2);
    for (const job of run.jobs) await postResult(seeded.agent, job, seeded.deviceIds.indexOf(job.device.id), { samplesPerJob: 100 });
    await page.locator('tr[data-status="succeeded"]').nth(1).waitFor({ timeout: 10_000 });
    await expect.poll(() => page.getByTestId('run-status').textContent()).toBe('succeeded');
    await page.screenshot({ path: join(screenshots, 'run.png'), fullPage: true });
    await page.close();
  });

  it('viewer: sees the version but no approve button, and the API refuses the approval', async () => {
    const page = await browser.context.newPage();
    await signIn(page, api.tokens.viewer);
    expect(await page.getByTestId('role').textContent()).toBe('viewer');
    await page.goto(`${api.url}/models/mnist-mlp/versions/1.1.0`);
    await page.getByTestId('version-approvals').waitFor();
    await page.locator('[data-chart="latency-box"] svg[aria-description]').waitFor();
    expect(await page.getByTestId('approve-form').count()).toBe(0);
    expect(await page.getByRole('button', { name: /Approve/ }).count()).toBe(0);
    const status = await page.evaluate(async (token) => {
      const r = await fetch('/v1/approvals', {
        method: 'POST',
        headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
        body: JSON.stringify({ model: 'mnist-mlp', version: '1.0.0', reason: 'a viewer tries anyway' }),
      });
      return r.status;
    }, api.tokens.viewer);
    expect(status).toBe(403);
    await page.goto(`${api.url}/devices`);
    await page.getByTestId('devices-table').waitFor();
    expect(await page.getByRole('button', { name: 'Quarantine' }).count()).toBe(0);

    // an active approval the viewer may see but not revoke, on the page or through the API
    const approved = await fetch(`${api.url}/v1/approvals`, {
      method: 'POST',
      headers: { ...api.auth('admin'), 'content-type': 'application/json' },
      body: JSON.stringify({ model: 'mnist-mlp', version: '1.0.0', channel: 'beta', reason: 'for the viewer test' }),
    });
    expect(approved.status).toBe(201);
    const approval = (await approved.json()) as { id: string };
    await page.getByRole('link', { name: 'Approvals' }).click();
    await page.locator(`tr[data-approval="${approval.id}"][data-state="active"]`).waitFor();
    expect(await page.getByRole('button', { name: /Revoke/ }).count()).toBe(0);
    const revoke = await page.evaluate(
      async ([token, id]) => {
        const r = await fetch(`/v1/approvals/${id}/revoke`, {
          method: 'POST',
          headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
          body: JSON.stringify({ reason: 'a viewer tries anyway' }),
        });
        return { status: r.status, body: (await r.json()) as { error: { code: string } } };
      },
      [api.tokens.viewer, approval.id] as const,
    );
    expect(revoke.status).toBe(403);
    expect(revoke.body.error.code).toBe('forbidden');
    const after = await fetch(`${api.url}/v1/approvals/${approval.id}`, { headers: api.auth('viewer') });
    expect(((await after.json()) as { state: string }).state).toBe('active');
    await page.close();
  });
});
