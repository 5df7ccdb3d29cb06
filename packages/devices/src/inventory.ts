import { readFile } from 'node:fs/promises';
import { parseDocument } from 'yaml';
import { z } from 'zod';
import { DeviceTier, type DeviceRegistration } from '@edgeproof/contracts';
import type { DeviceDriver } from './driver.ts';

/**
 * A lab's device inventory (YAML): what discovery cannot read — tier, tags, owning team, location,
 * extra attributes — declared per device (by local key) or per kind of device (by match), and merged
 * over what the drivers discover. Example: device-farm/inventory.example.yaml.
 */
export const INVENTORY_FORMAT = 'edgeproof-inventory/v1';

const Declared = {
  tier: DeviceTier.optional(),
  /** added to the discovered tags */
  tags: z.array(z.string().min(1).max(100)).optional(),
  /** becomes attributes.team */
  team: z.string().min(1).max(200).optional(),
  /** becomes attributes.location */
  location: z.string().min(1).max(200).optional(),
  equivalenceClass: z.string().min(1).max(300).optional(),
  attributes: z.record(z.string(), z.unknown()).optional(),
};

const Match = z
  .strictObject({
    driver: z.string().min(1).optional(),
    platform: z.string().min(1).optional(),
    maker: z.string().min(1).optional(),
    model: z.string().min(1).optional(),
  })
  .refine((m) => Object.keys(m).length > 0, 'match needs at least one of driver, platform, maker, model');

export const InventoryEntry = z
  .strictObject({
    /** exactly this device: adb serial, browser slot ("browser-1"), "host" */
    localKey: z.string().min(1).max(200).optional(),
    /** every discovered device whose fields equal all of these */
    match: Match.optional(),
    /** true: the agent does not serve this device */
    disabled: z.boolean().optional(),
    ...Declared,
  })
  .refine((e) => (e.localKey === undefined) !== (e.match === undefined), 'give exactly one of localKey or match');
export type InventoryEntry = z.infer<typeof InventoryEntry>;

export const Inventory = z.strictObject({
  format: z.literal(INVENTORY_FORMAT),
  /** applied to every discovered device first */
  defaults: z.strictObject(Declared).optional(),
  devices: z.array(InventoryEntry).default([]),
});
export type Inventory = z.infer<typeof Inventory>;

/** An inventory file that is not valid YAML or not a valid inventory; the message names the file and field. */
export class InventoryError extends Error {
  override name = 'InventoryError';
}

export function parseInventory(text: string, source = 'inventory'): Inventory {
  const doc = parseDocument(text, { prettyErrors: true });
  if (doc.errors.length > 0) throw new InventoryError(`${source}: not valid YAML: ${doc.errors[0]?.message ?? ''}`.trim());
  const parsed = Inventory.safeParse(doc.toJS());
  if (!parsed.success) {
    const lines = parsed.error.issues.map((i) => `${i.path.length ? i.path.join('.') : '(root)'}: ${i.message}`);
    throw new InventoryError(`${source}: invalid device inventory: ${lines.join('; ')}`);
  }
  return parsed.data;
}

export async function loadInventory(path: string): Promise<Inventory> {
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch (err) {
    throw new InventoryError(`cannot read the device inventory ${path}: ${(err as Error).message}`);
  }
  return parseInventory(text, path);
}

export interface MergedDevices {
  devices: DeviceRegistration[];
  /** local keys the inventory declares that no discovered device has (e.g. a phone unplugged) */
  missing: string[];
  /** local keys dropped by `disabled: true` */
  disabled: string[];
}

type DeclaredFields = z.infer<z.ZodObject<typeof Declared>>;

/**
 * Declared over discovered: defaults, then every matching `match` entry in file order, then the
 * device's `localKey` entry. tier and equivalenceClass are replaced; tags are added (no duplicates);
 * team, location and attributes go into attributes, declared keys winning.
 */
export function mergeInventory(discovered: DeviceRegistration[], inventory: Inventory): MergedDevices {
  const devices: DeviceRegistration[] = [];
  const disabled: string[] = [];
  for (const device of discovered) {
    const entries = [
      ...inventory.devices.filter((e) => e.match !== undefined && matches(device, e.match)),
      ...inventory.devices.filter((e) => e.localKey === device.localKey),
    ];
    if (entries.some((e) => e.disabled === true)) {
      disabled.push(device.localKey);
      continue;
    }
    devices.push([inventory.defaults ?? {}, ...entries].reduce<DeviceRegistration>(apply, device));
  }
  const seen = new Set(discovered.map((d) => d.localKey));
  const missing = inventory.devices.flatMap((e) => (e.localKey !== undefined && !seen.has(e.localKey) ? [e.localKey] : []));
  return { devices, missing, disabled };
}

function matches(device: DeviceRegistration, m: NonNullable<InventoryEntry['match']>): boolean {
  return (Object.entries(m) as [keyof typeof m, string | undefined][]).every(([k, v]) => v === undefined || device[k] === v);
}

function apply(device: DeviceRegistration, d: DeclaredFields): DeviceRegistration {
  const attributes = {
    ...device.attributes,
    ...(d.team !== undefined ? { team: d.team } : {}),
    ...(d.location !== undefined ? { location: d.location } : {}),
    ...d.attributes,
  };
  return {
    ...device,
    ...(d.tier !== undefined ? { tier: d.tier } : {}),
    ...(d.equivalenceClass !== undefined ? { equivalenceClass: d.equivalenceClass } : {}),
    tags: [...new Set([...device.tags, ...(d.tags ?? [])])],
    attributes,
  };
}

/** The same driver (every member passed through, so later interface additions keep working), with the inventory merged into what it discovers. */
export function withInventory<D extends DeviceDriver>(driver: D, inventory: Inventory): D {
  const discover = async () => mergeInventory(await driver.discover(), inventory).devices;
  return new Proxy(driver, {
    get(target, prop) {
      if (prop === 'discover') return discover;
      const value: unknown = Reflect.get(target, prop, target);
      // bound to the driver itself: its #private fields are not reachable through the proxy
      return typeof value === 'function' ? (value as (...a: unknown[]) => unknown).bind(target) : value;
    },
  });
}
