import type { DeviceOut } from '@edgeproof/contracts';
import type pg from 'pg';
import { iso, Params, prepared } from './sql.ts';

export interface DeviceFilter {
  platform?: string | undefined;
  tier?: DeviceOut['tier'] | undefined;
  status?: DeviceOut['status'] | undefined;
}

/**
 * `GET /v1/devices` as JSON text (the items array), built by Postgres in one query: its keys and types are DeviceOut's
 * (the same answer as `toDeviceOut`), so Node neither parses the rows nor serializes them.
 */
export async function devicesJson(sql: pg.Pool, f: DeviceFilter): Promise<string> {
  const p = new Params();
  const where: string[] = [];
  if (f.platform) where.push(`d.platform = ${p.add(f.platform)}`);
  if (f.tier) where.push(`d.tier = ${p.add(f.tier)}::"DeviceTier"`);
  if (f.status) where.push(`d.status = ${p.add(f.status)}::"DeviceStatus"`);
  // tier and status stay enums: the aggregate orders by the enum's order and writes its label
  const { rows } = await sql.query<{ items: string }>(
    prepared(
      `SELECT coalesce(json_agg(x ORDER BY x.tier, x.platform, x."localKey"), '[]')::text AS items FROM (
         SELECT d.id, a.name AS agent, d."localKey", d.platform, d.driver, d.maker, d.model, d."osVersion", d.soc, d.cpu, d.cores, d."ramMb",
                d.tier, d.tags, d.runtimes, d."equivalenceClass", d.attributes, d.status, d."statusReason",
                d."consecutiveHealthFailures", d."currentJobId", ${iso('d."lastHeartbeatAt"')} AS "lastHeartbeatAt"
         FROM "Device" d JOIN "Agent" a ON a.id = d."agentId"
         ${where.length ? `WHERE ${where.join(' AND ')}` : ''}) x`,
      p.values,
    ),
  );
  return rows[0]?.items ?? '[]';
}
