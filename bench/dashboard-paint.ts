/**
 * Dashboard first meaningful paint: the model-version page of a version measured on 20 devices ×
 * 5,000 raw latency samples each (candidate and baseline: 200,000 samples), opened in Debian's
 * Chromium (playwright-core) against the real API serving the built page. Measured in the browser:
 * navigation start → the latency box plot is in the DOM (a performance mark the chart sets), and
 * → the candidate-vs-baseline intervals are drawn. Bytes: the transfer sizes the browser reports
 * for the document and every resource, beside what `GET /v1/runs/:id` (raw samples) would ship.
 * Target: box plot painted ≤ 2 s on a warm cache; API data ≤ 5% of the raw-sample payload.
 */
import { mkdtemp } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Table from 'cli-table3';
import { buildApp } from '../apps/api/src/app.ts';
import { createToken } from '../apps/api/src/services/tokens.ts';
import { seedDashboard } from '../apps/api/test/dashboard-seed.ts';
import { ensureWebBuilt, launchChromium } from '../apps/web/test/support/browser.ts';
import { createBenchDatabase, median } from './support/platform.ts';
import { ensureServices } from '../scripts/lib/services.ts';

const DEVICES = 20;
const SAMPLES = 5000;
const LOADS = 6;

interface Load {
  paint: number;
  compared: number;
  transfer: number;
  apiBytes: number;
  jsBytes: number;
}

// transfer sizes as the page saw them; a string, not a function: tsx's esbuild would wrap named helpers in __name(), which the page lacks
const JS_BYTES = `performance.getEntriesByType('resource').filter((r) => new URL(r.name).pathname.endsWith('.js')).reduce((s, r) => s + r.transferSize, 0)`;

await ensureWebBuilt();
const services = await ensureServices();
const db = await createBenchDatabase(services.databaseUrl, `edgeproof_bench_dash_${process.pid}`);
const app = await buildApp({
  DATABASE_URL: db.url,
  REDIS_URL: services.redisUrl,
  LOG_LEVEL: 'warn',
  ARTIFACT_ROOT: await mkdtemp(join(tmpdir(), 'edgeproof-bench-artifacts-')),
  MAX_ARTIFACT_BYTES: 512 * 1024 * 1024,
  QUEUE_PREFIX: `edgeproof-bench-dash-${process.pid}`,
  HEARTBEAT_INTERVAL_MS: 2_000,
  DEVICE_OFFLINE_AFTER_MS: 600_000,
  REROUTE_TIMEOUT_MS: 600_000,
  WATCHDOG_INTERVAL_MS: 60_000,
  startWatchdog: false,
});
const url = await app.listen({ host: '127.0.0.1', port: 0 });
const token = async (role: 'admin' | 'ml_engineer' | 'viewer') => (await createToken(app.db, { name: `bench-${role}`, role })).token;
const tokens = { admin: await token('admin'), ml_engineer: await token('ml_engineer') };
const agentToken = async (agent: string) => (await createToken(app.db, { name: `bench-${agent}`, role: 'agent', agent })).token;
const viewer = await token('viewer');
const browser = await launchChromium();
try {
  const seeded = await seedDashboard({ url, tokens, agentToken }, { devices: DEVICES, samplesPerJob: SAMPLES });
  const raw = await fetch(`${url}/v1/runs/${seeded.runId}`, { headers: { authorization: `Bearer ${viewer}`, 'accept-encoding': 'gzip' } });
  const rawBytes = (await raw.arrayBuffer()).byteLength;

  await browser.context.addInitScript({ content: `sessionStorage.setItem('edgeproof.token', ${JSON.stringify(viewer)});` });
  const pageUrl = `${url}/models/${seeded.model}/versions/${seeded.candidate}`;
  // the models page first, on an empty cache: the JS a page that draws no chart needs (pages are lazy-loaded chunks)
  const models = await browser.context.newPage();
  const cdp = await browser.context.newCDPSession(models);
  await cdp.send('Network.clearBrowserCache');
  await models.goto(`${url}/`);
  await models.locator(`tr[data-model="${seeded.model}"]`).waitFor({ timeout: 60_000 });
  const modelsJs = await models.evaluate<number>(JS_BYTES);
  await cdp.send('Network.clearBrowserCache');
  await models.close();

  const loads: Load[] = [];
  for (let i = 0; i < LOADS; i++) {
    const page = await browser.context.newPage();
    await page.goto(pageUrl);
    await page.locator('[data-chart="latency-box"][data-rendered="true"] svg[aria-description]').waitFor({ timeout: 60_000 });
    await page.locator('[data-chart="latency-delta"][data-rendered="true"] svg[aria-description]').waitFor({ timeout: 60_000 });
    const m = await page.evaluate<Load>(`(() => {
      const mark = (n) => performance.getEntriesByName(n, 'mark')[0]?.startTime ?? NaN;
      const entries = [...performance.getEntriesByType('navigation'), ...performance.getEntriesByType('resource')];
      const api = entries.filter((r) => new URL(r.name).pathname.startsWith('/v1/'));
      return {
        paint: mark('chart:latency-box'),
        compared: mark('chart:latency-delta'),
        transfer: entries.reduce((s, r) => s + r.transferSize, 0),
        apiBytes: api.reduce((s, r) => s + r.encodedBodySize, 0),
        jsBytes: ${JS_BYTES},
      };
    })()`);
    const boxes = await page.locator('[data-chart="latency-box"] svg[aria-description] g[aria-label="bar"] rect').count();
    if (boxes !== DEVICES * 2) throw new Error(`expected ${DEVICES * 2} boxes, found ${boxes}`);
    loads.push(m);
    await page.close();
  }
  const warm = loads.slice(1);
  const cold = loads[0] as (typeof loads)[number];
  const paintWarm = median(warm.map((l) => l.paint));
  const apiBytes = median(loads.map((l) => l.apiBytes));
  const ratio = apiBytes / rawBytes;
  const kB = (b: number) => `${(b / 1024).toFixed(1)} kB`;
  const table = new Table({ head: ['measure', 'value', 'target', 'met'] });
  table.push(
    ['box plot painted, cold cache (nav start → chart)', `${cold.paint.toFixed(0)} ms`, '', ''],
    [`box plot painted, warm cache (median of ${warm.length})`, `${paintWarm.toFixed(0)} ms`, '≤ 2000 ms', paintWarm <= 2000 ? 'yes' : 'NO'],
    ['comparison intervals drawn, first view (20 bootstraps of 1000)', `${cold.compared.toFixed(0)} ms`, '', ''],
    ['comparison intervals drawn, later views (cached, median)', `${median(warm.map((l) => l.compared)).toFixed(0)} ms`, '', ''],
    ['transferred, cold (document + assets + API)', kB(cold.transfer), '', ''],
    ['transferred, warm (median)', kB(median(warm.map((l) => l.transfer))), '', ''],
    ['  of it JavaScript, model-version page, cold', kB(cold.jsBytes), '', ''],
    ['JavaScript for the models page, cold (no chart library)', kB(modelsJs), '', ''],
    ['API data for the page (encoded bodies)', kB(apiBytes), '', ''],
    ['GET /v1/runs/:id with raw samples', kB(rawBytes), '', ''],
    ['API data / raw-sample payload', ratio.toFixed(4), '≤ 0.05', ratio <= 0.05 ? 'yes' : 'NO'],
  );
  console.log(`model-version page, ${DEVICES} devices × ${SAMPLES} samples × candidate+baseline, Chromium headless`);
  console.log(table.toString());
} finally {
  await browser.close();
  await app.close();
  await db.drop();
  await services.stop();
}
