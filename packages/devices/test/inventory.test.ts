import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import type { DeviceRegistration } from '@edgeproof/contracts';
import { repoRoot } from '@edgeproof/testkit';
import type { DeviceDriver } from '../src/driver.ts';
import { InventoryError, loadInventory, mergeInventory, parseInventory, withInventory } from '../src/inventory.ts';

const device = (over: Partial<DeviceRegistration>): DeviceRegistration => ({
  localKey: 'x',
  platform: 'linux',
  driver: 'host',
  tier: 'mid',
  tags: [],
  runtimes: ['onnxruntime-node'],
  attributes: {},
  ...over,
});

const discovered = [
  device({ localKey: 'browser-1', platform: 'browser', driver: 'browser', tags: ['ci'], attributes: { browserVersion: '156' } }),
  device({ localKey: 'R58N12ABCDE', platform: 'android', driver: 'android', maker: 'samsung', model: 'SM-S911B' }),
  device({ localKey: '0A1B2C3D4E', platform: 'android', driver: 'android', model: 'Pixel 6a' }),
  device({ localKey: 'pixel-2', platform: 'android', driver: 'android', model: 'Pixel 6a' }),
  device({ localKey: 'host' }),
];

describe('device inventory', () => {
  it('the example file is valid and merges declared attributes over discovered ones', async () => {
    const inventory = await loadInventory(join(repoRoot, 'device-farm/inventory.example.yaml'));
    const merged = mergeInventory(discovered, inventory);
    const byKey = Object.fromEntries(merged.devices.map((d) => [d.localKey, d]));

    expect(byKey['browser-1']).toMatchObject({
      tier: 'low',
      tags: ['ci', 'lab-berlin', 'headless'],
      attributes: { browserVersion: '156', team: 'web-platform', location: 'Berlin lab' },
    });
    expect(byKey.R58N12ABCDE).toMatchObject({
      tier: 'high',
      maker: 'samsung',
      tags: ['lab-berlin', 'flagship'],
      attributes: { team: 'camera', location: 'Berlin lab, rack 2, shelf 1', purchased: '2025-03', charger: 'usb-hub-3' },
    });
    expect(byKey['pixel-2']?.tier).toBe('mid');
    expect(byKey.host?.attributes).toMatchObject({ team: 'ml-platform' });
    expect(merged.disabled).toEqual(['0A1B2C3D4E']);
    expect(byKey['0A1B2C3D4E']).toBeUndefined();
    expect(merged.missing).toEqual([]);
  });

  it('a localKey entry wins over a match entry; declared keys with no device are reported missing', () => {
    const inventory = parseInventory(`
format: edgeproof-inventory/v1
devices:
  - localKey: browser-1
    tier: high
  - match: { driver: browser }
    tier: low
  - localKey: gone-phone
    tier: low
`);
    const merged = mergeInventory(discovered.slice(0, 1), inventory);
    expect(merged.devices[0]?.tier).toBe('high');
    expect(merged.missing).toEqual(['gone-phone']);
  });

  it('rejects invalid files with the field named, and YAML errors as such', () => {
    expect(() => parseInventory('format: edgeproof-inventory/v1\ndevices:\n  - localKey: a\n    tier: gigantic\n', 'lab.yaml')).toThrow(
      /^lab\.yaml: invalid device inventory: devices\.0\.tier: /,
    );
    expect(() => parseInventory('format: edgeproof-inventory/v1\ndevices:\n  - tier: low\n')).toThrow(/devices\.0: give exactly one of localKey or match/);
    expect(() => parseInventory('format: edgeproof-inventory/v1\ndevices:\n  - localKey: a\n    teem: x\n')).toThrow(/devices\.0: Unrecognized key: "teem"/);
    expect(() => parseInventory('format: v0\n')).toThrow(/format: /);
    expect(() => parseInventory('devices: [a, b\n')).toThrow(InventoryError);
    expect(() => parseInventory('devices: [a, b\n')).toThrow(/not valid YAML/);
  });

  it('a missing file is an InventoryError naming the path', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'ep-inv-'));
    try {
      await expect(loadInventory(join(dir, 'nope.yaml'))).rejects.toThrow(/cannot read the device inventory .*nope\.yaml/);
      await writeFile(join(dir, 'ok.yaml'), 'format: edgeproof-inventory/v1\n');
      await expect(loadInventory(join(dir, 'ok.yaml'))).resolves.toEqual({ format: 'edgeproof-inventory/v1', devices: [] });
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });

  it('withInventory changes what a driver discovers and passes everything else through', async () => {
    let disposed = false;
    class Stub implements DeviceDriver {
      readonly kind = 'host';
      #secret = 'health';
      async discover() {
        return [device({ localKey: 'host' })];
      }
      async healthCheck(_d: DeviceRegistration) {
        return { ok: false, reason: this.#secret };
      }
      async run(): Promise<never> {
        throw new Error('not here');
      }
      async dispose() {
        disposed = true;
      }
    }
    const wrapped = withInventory(new Stub(), parseInventory('format: edgeproof-inventory/v1\ndevices:\n  - localKey: host\n    tier: high\n'));
    expect((await wrapped.discover())[0]?.tier).toBe('high');
    expect(wrapped.kind).toBe('host');
    expect(await wrapped.healthCheck(device({}))).toEqual({ ok: false, reason: 'health' });
    await wrapped.dispose();
    expect(disposed).toBe(true);
  });
});
