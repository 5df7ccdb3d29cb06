import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { DeviceRegistration } from '@edgeproof/contracts';
import { createDrivers, HostDriver } from '../src/index.ts';
import { readThermal } from '../src/host/environment.ts';

const dirs: string[] = [];
afterAll(async () => {
  await Promise.all(dirs.map((d) => rm(d, { recursive: true, force: true })));
});

describe('host driver discovery', () => {
  it('registers one host device that passes the contract', async () => {
    const driver = new HostDriver({ tier: 'high', tags: ['ci', 'x86'] });
    const devices = await driver.discover();
    expect(devices).toHaveLength(1);
    const [host] = devices;
    expect(DeviceRegistration.parse(host)).toEqual(host);
    expect(host).toMatchObject({
      localKey: 'host',
      platform: os.platform(),
      driver: 'host',
      tier: 'high',
      tags: ['ci', 'x86'],
      // TFLite runs with LiteRT.js in the agent's own headless Chromium (installed here, as in CI)
      runtimes: ['onnxruntime-node', 'litert/wasm'],
      cores: os.availableParallelism(),
    });
    expect(host?.ramMb).toBeGreaterThan(0);
    expect(await driver.healthCheck(host as DeviceRegistration)).toEqual({ ok: true });
  });

  it('reports unhealthy with a reason when free memory is below the floor', async () => {
    const driver = new HostDriver({ minFreeMemoryMb: Number.MAX_SAFE_INTEGER });
    const [host] = await driver.discover();
    const health = await driver.healthCheck(host as DeviceRegistration);
    expect(health.ok).toBe(false);
    expect(health.reason).toMatch(/^low memory: \d+ MiB free/);
  });

  it('creates drivers from config without the caller naming platforms', () => {
    expect(createDrivers().map((d) => d.kind)).toEqual(['host']);
    expect(createDrivers({ host: false })).toEqual([]);
  });
});

describe('thermal readings', () => {
  async function zones(spec: Record<string, Record<string, string>>): Promise<string> {
    const root = await mkdtemp(join(os.tmpdir(), 'ep-thermal-'));
    dirs.push(root);
    for (const [zone, files] of Object.entries(spec)) {
      await mkdir(join(root, zone));
      for (const [f, v] of Object.entries(files)) await writeFile(join(root, zone, f), `${v}\n`);
    }
    return root;
  }

  it('is unavailable without thermal zones, and invents no temperature', async () => {
    expect(await readThermal(join(os.tmpdir(), 'ep-no-such-thermal-dir'))).toEqual({ state: 'unavailable' });
    expect(await readThermal(await zones({ cooling_device0: { type: 'fan' } }))).toEqual({ state: 'unavailable' });
  });

  it('records every zone and compares it with the passive trip points', async () => {
    const root = await zones({
      thermal_zone0: { type: 'x86_pkg_temp', temp: '45000', trip_point_0_type: 'passive', trip_point_0_temp: '90000' },
      thermal_zone1: { type: 'acpitz', temp: '38500', trip_point_0_type: 'critical', trip_point_0_temp: '105000' },
    });
    expect(await readThermal(root)).toEqual({
      state: 'nominal',
      temperaturesC: { 'thermal_zone0:x86_pkg_temp': 45, 'thermal_zone1:acpitz': 38.5 },
    });
    await writeFile(join(root, 'thermal_zone0', 'temp'), '91000\n');
    expect((await readThermal(root)).state).toBe('throttling');
  });

  it('says unknown when zones have temperatures but no trip points', async () => {
    const root = await zones({ thermal_zone0: { type: 'soc', temp: '50000' } });
    expect(await readThermal(root)).toEqual({ state: 'unknown', temperaturesC: { 'thermal_zone0:soc': 50 } });
  });
});
