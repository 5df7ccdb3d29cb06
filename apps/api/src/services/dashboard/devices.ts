import type { DashDevices } from '@edgeproof/contracts';
import type { Db } from '@edgeproof/db';
import { dashDevice } from './common.ts';

const HOUR = 3_600_000;

/** Share of each of the `hours` hours before `end` covered by the [start, finish) intervals (clipped, overlaps not merged: one job at a time per device). */
export function hourlyUtilisation(intervals: ReadonlyArray<{ start: number; end: number }>, end: number, hours = 24): number[] {
  const shares = new Array<number>(hours).fill(0);
  const windowStart = end - hours * HOUR;
  for (const iv of intervals) {
    for (let h = 0; h < hours; h++) {
      const hs = windowStart + h * HOUR;
      const overlap = Math.min(iv.end, hs + HOUR) - Math.max(iv.start, hs);
      if (overlap > 0) shares[h] = Math.min(1, (shares[h] as number) + overlap / HOUR);
    }
  }
  return shares;
}

function hottest(environment: unknown): number | null {
  const temps = (environment as { temperaturesC?: Record<string, unknown> } | null)?.temperaturesC;
  const values = Object.values(temps ?? {}).filter((v): v is number => typeof v === 'number' && Number.isFinite(v));
  return values.length ? Math.max(...values) : null;
}

/** The inventory with what a lab owner watches: status, health, current job, temperature, battery and a day of utilisation. */
export async function dashboardDevices(db: Db, now = new Date()): Promise<DashDevices> {
  const end = now.getTime();
  const since = new Date(end - 24 * HOUR);
  const devices = await db.device.findMany({ include: { agent: true }, orderBy: [{ tier: 'asc' }, { platform: 'asc' }, { localKey: 'asc' }] });
  const jobs = await db.job.findMany({
    where: { startedAt: { not: null }, OR: [{ finishedAt: null }, { finishedAt: { gte: since } }] },
    select: { deviceId: true, startedAt: true, finishedAt: true, status: true },
  });
  const currentIds = devices.map((d) => d.currentJobId).filter((id): id is string => id !== null);
  const current = await db.job.findMany({
    where: { id: { in: currentIds } },
    select: { id: true, runId: true, benchmark: true, status: true, run: { select: { modelVersion: { select: { version: true, model: { select: { name: true } } } } } } },
  });
  const items = await Promise.all(
    devices.map(async (d) => {
      const latest = await db.result.findFirst({
        where: { job: { deviceId: d.id } },
        orderBy: { createdAt: 'desc' },
        select: { environment: true },
      });
      const intervals = jobs
        .filter((j) => j.deviceId === d.id && j.startedAt)
        .map((j) => ({ start: (j.startedAt as Date).getTime(), end: j.finishedAt?.getTime() ?? (j.status === 'running' ? end : (j.startedAt as Date).getTime()) }));
      const hourly = hourlyUtilisation(intervals, end);
      const job = current.find((j) => j.id === d.currentJobId);
      const battery = (d.attributes as Record<string, unknown>).batteryLevel;
      return {
        device: dashDevice(d),
        agent: d.agent.name,
        driver: d.driver,
        osVersion: d.osVersion,
        status: d.status,
        statusReason: d.statusReason,
        consecutiveHealthFailures: d.consecutiveHealthFailures,
        lastHeartbeatAt: d.lastHeartbeatAt.toISOString(),
        currentJob: job && (job.status === 'running' || job.status === 'queued')
          ? { id: job.id, run: job.runId, benchmark: job.benchmark, model: job.run.modelVersion.model.name, version: job.run.modelVersion.version }
          : null,
        temperatureC: latest ? hottest(latest.environment) : null,
        battery: typeof battery === 'number' && battery >= 0 && battery <= 1 ? battery : null,
        utilisation: { day: hourly.reduce((s, x) => s + x, 0) / hourly.length, hourly },
      };
    }),
  );
  return { items, windowEnd: now.toISOString() };
}
