import type { DeviceSelector } from '@edgeproof/contracts';
import type { Db, Device } from '@edgeproof/db';
import { AppError } from '../errors.ts';

const statusRank: Partial<Record<Device['status'], number>> = { idle: 0, busy: 1, unhealthy: 2, offline: 3, quarantined: 4 };

/** Whether a runtime a device advertises loads models of this format: ONNX on onnxruntime-*, TFLite on litert/* (LiteRT.js) or *tflite*. */
export function runtimeFits(runtime: string, format: 'onnx' | 'tflite'): boolean {
  return format === 'onnx' ? runtime.startsWith('onnxruntime') : runtime.startsWith('litert/') || runtime.includes('tflite');
}

/**
 * Whether a device has a runtime for the model's file format; with `requested` (a run's
 * settings.runtimes), one of those, advertised by the device, that fits the format.
 */
export function canRun(device: Pick<Device, 'runtimes'>, format: 'onnx' | 'tflite', requested?: readonly string[]): boolean {
  return device.runtimes.some((r) => runtimeFits(r, format) && (requested === undefined || requested.includes(r)));
}

/** Compares dotted numeric versions part by part ("12" < "12.1" < "13"); missing parts count as 0. */
export function compareVersions(a: string, b: string): number {
  const pa = a.split('.').map(Number);
  const pb = b.split('.').map(Number);
  for (let i = 0; i < Math.max(pa.length, pb.length); i++) {
    const d = (pa[i] ?? 0) - (pb[i] ?? 0);
    if (d !== 0) return Math.sign(d);
  }
  return 0;
}

/** A device without a numeric OS version never matches a range. */
export function inVersionRange(osVersion: string | null, range: { min?: string | undefined; max?: string | undefined } | undefined): boolean {
  if (!range) return true;
  const v = /^\d+(\.\d+)*/.exec(osVersion ?? '')?.[0];
  if (!v) return false;
  return (range.min === undefined || compareVersions(v, range.min) >= 0) && (range.max === undefined || compareVersions(v, range.max) <= 0);
}

/** The team from the device's attributes (`team`) or a `team:<name>` tag. */
export function ownedBy(device: Pick<Device, 'attributes' | 'tags'>, team: string | undefined): boolean {
  if (team === undefined) return true;
  const attrs = device.attributes as Record<string, unknown> | null;
  return attrs?.['team'] === team || device.tags.includes(`team:${team}`);
}

/**
 * Resolves a run's device selector to concrete devices, or explains why none fit. `runtimes` (the run's
 * settings.runtimes): only devices advertising one of them that fits the model's format.
 */
export async function selectDevices(db: Db, selector: DeviceSelector, format: 'onnx' | 'tflite', runtimes?: readonly string[]): Promise<Device[]> {
  const wanted = runtimes ? ` on ${runtimes.join(' or ')}` : '';
  if (selector.ids) {
    const rows = await db.device.findMany({ where: { id: { in: selector.ids } } });
    for (const id of selector.ids) {
      const row = rows.find((r) => r.id === id);
      if (!row) throw new AppError(404, 'not_found', `device ${id} not found`);
      if (row.status === 'quarantined') throw new AppError(422, 'unprocessable', `device ${id} is quarantined: ${row.statusReason ?? 'no reason recorded'}`);
      if (!canRun(row, format, runtimes)) throw new AppError(422, 'unprocessable', `device ${id} has no runtime for ${format} models${wanted} (it has ${row.runtimes.join(', ')})`);
    }
    return selector.ids.map((id) => rows.find((r) => r.id === id) as Device);
  }
  const rows = await db.device.findMany({
    where: {
      status: { notIn: ['offline', 'quarantined'] },
      ...(selector.platform ? { platform: selector.platform } : {}),
      ...(selector.tiers ? { tier: { in: selector.tiers } } : {}),
      ...(selector.tags ? { tags: { hasEvery: selector.tags } } : {}),
      ...(selector.runtime ? { runtimes: { has: selector.runtime } } : {}),
      ...(selector.model ? { model: selector.model } : {}),
    },
    orderBy: [{ lastHeartbeatAt: 'desc' }],
  });
  const capable = rows.filter((d) => canRun(d, format, runtimes) && inVersionRange(d.osVersion, selector.osVersion) && ownedBy(d, selector.team));
  if (capable.length === 0) {
    const { pick: _pick, ...filters } = selector;
    throw new AppError(422, 'unprocessable', `no online device matches ${JSON.stringify(filters)} and can run ${format} models${wanted}`);
  }
  if (selector.pick === 'all') return capable;
  const best = new Map<string, Device>();
  for (const d of [...capable].sort((a, b) => (statusRank[a.status] ?? 9) - (statusRank[b.status] ?? 9))) {
    if (!best.has(d.tier)) best.set(d.tier, d);
  }
  return [...best.values()];
}
