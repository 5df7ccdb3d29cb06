import type { DeviceHeartbeat } from '@edgeproof/contracts';
import type { Device } from '@edgeproof/db';

type HealthFields = Pick<Device, 'status' | 'statusReason' | 'consecutiveHealthFailures'>;

/**
 * A heartbeat's effect on a device's health: failed checks add up, a healthy report without failures
 * resets the count, and the `quarantineAfter`-th failure in a row quarantines the device with its reason.
 * A quarantined device stays quarantined whatever its agent reports, until an admin releases it.
 */
export function nextHealth(device: HealthFields, beat: DeviceHeartbeat, quarantineAfter: number): Partial<HealthFields> {
  if (device.status === 'quarantined') return {};
  const failures = beat.healthFailures ?? 0;
  const count = failures === 0 && beat.status !== 'unhealthy' ? 0 : device.consecutiveHealthFailures + failures;
  if (count >= quarantineAfter) {
    return {
      status: 'quarantined',
      statusReason: `quarantined after ${count} failed health checks in a row; last: ${beat.reason ?? 'no reason given'}`.slice(0, 2000),
      consecutiveHealthFailures: count,
    };
  }
  return { status: beat.status, statusReason: beat.reason ?? null, consecutiveHealthFailures: count };
}
