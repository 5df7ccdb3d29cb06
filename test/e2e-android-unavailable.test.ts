import { spawn, execFile, type ChildProcess } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { startAgent, type RunningAgent } from '@edgeproof/agent';
import type { DeviceOut } from '@edgeproof/contracts';
import { AndroidDriver, HostDriver } from '@edgeproof/devices';
import { repoRoot } from '@edgeproof/testkit';
import pino from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestApi, type TestApi } from '../apps/api/test/helpers.ts';

const ANDROID_HOME = '/usr/lib/android-sdk';

async function freePort(): Promise<number> {
  const srv = createServer();
  await new Promise<void>((r) => srv.listen(0, '127.0.0.1', r));
  const port = (srv.address() as { port: number }).port;
  await new Promise((r) => srv.close(r));
  return port;
}

/**
 * A real Appium 3 server with the UiAutomator2 driver (APPIUM_HOME=.appium) and no phone attached: the
 * agent registers the configured phone, reports it unhealthy with Appium's own error, and keeps serving
 * its host device. Appium takes ~20 s to give up on the phone, so this is the one slow Android test.
 */
describe('an Android phone that is not attached', () => {
  let appium: ChildProcess;
  let appiumLog = '';
  let adbPort: number;
  let api: TestApi;
  let agent: RunningAgent | undefined;
  let cacheDir: string;

  beforeAll(async () => {
    const port = await freePort();
    adbPort = await freePort();
    appium = spawn(join(repoRoot, 'node_modules/.bin/appium'), ['--address', '127.0.0.1', '--port', String(port), '--allow-insecure', 'uiautomator2:adb_shell', '--log-level', 'info', '--log-no-colors'], {
      env: { ...process.env, APPIUM_HOME: join(repoRoot, '.appium'), ANDROID_HOME, ANDROID_SDK_ROOT: ANDROID_HOME },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    appium.stdout?.on('data', (b: Buffer) => (appiumLog += b.toString()));
    appium.stderr?.on('data', (b: Buffer) => (appiumLog += b.toString()));
    const deadline = Date.now() + 60_000;
    for (;;) {
      const up = await fetch(`http://127.0.0.1:${port}/status`).then((r) => r.ok).catch(() => false);
      if (up) break;
      if (appium.exitCode !== null || Date.now() > deadline) throw new Error(`appium did not start:\n${appiumLog.slice(-2000)}`);
      await new Promise((r) => setTimeout(r, 250));
    }
    expect(appiumLog).toMatch(/UiAutomator2Driver|uiautomator2/i); // the driver is installed in .appium

    api = await startTestApi({}, { listen: true });
    cacheDir = await mkdtemp(join(tmpdir(), 'edgeproof-android-agent-'));
    agent = await startAgent({
      apiUrl: api.url,
      token: await api.agentToken('android-host'),
      name: 'android-host',
      cacheDir,
      drivers: [
        new HostDriver({ tier: 'mid' }),
        new AndroidDriver({
          // a private adb server port, so the adb server Appium starts is ours to stop
          appium: { url: `http://127.0.0.1:${port}`, capabilities: { 'appium:adbPort': adbPort } },
          adb: false,
          devices: [{ serial: 'edgeproof-absent-phone', tier: 'low', team: 'vision' }],
          health: { intervalMs: 600_000 },
        }),
      ],
      logger: pino({ level: 'silent' }),
      shutdownGraceMs: 1_000,
    });
  });

  afterAll(async () => {
    await agent?.stop();
    await api?.close();
    if (cacheDir) await rm(cacheDir, { recursive: true, force: true });
    if (appium && appium.exitCode === null) {
      appium.kill('SIGTERM');
      await new Promise((r) => appium.once('exit', r));
    }
    await promisify(execFile)(join(ANDROID_HOME, 'platform-tools/adb'), ['-P', String(adbPort), 'kill-server']).catch(() => undefined);
  });

  it('is reported unavailable with Appium\'s reason while the agent keeps serving its host device', async () => {
    const devices = async () =>
      ((await api.app.inject({ method: 'GET', url: '/v1/devices', headers: api.auth('viewer') })).json() as { items: DeviceOut[] }).items;
    const phone = async () => (await devices()).find((d) => d.platform === 'android');

    expect(await phone()).toMatchObject({ localKey: 'android:edgeproof-absent-phone', tier: 'low', attributes: { serial: 'edgeproof-absent-phone', team: 'vision', adbState: 'absent' } });
    await expect
      .poll(async () => (await phone())?.statusReason ?? '', { timeout: 90_000, interval: 1_000 })
      .toMatch(/Could not find a connected Android device in \d+ms$/);
    const reported = (await phone())!;
    expect(reported.status).toBe('unhealthy');
    expect(reported.statusReason).toMatch(/^Appium could not open a session on edgeproof-absent-phone: /);
    expect(reported.consecutiveHealthFailures).toBe(1);

    // the agent is alive and still serving the host device
    const host = (await devices()).find((d) => d.driver === 'host')!;
    expect(host.status).toBe('idle');
    const before = Date.parse(host.lastHeartbeatAt);
    await expect.poll(async () => Date.parse((await devices()).find((d) => d.driver === 'host')!.lastHeartbeatAt), { timeout: 10_000 }).toBeGreaterThan(before);
    expect(appium.exitCode).toBeNull();
  }, 120_000);
});
