import type { DeviceHeartbeat, DeviceRegistration } from '@edgeproof/contracts';
import type { DeviceDriver, HealthReport } from '@edgeproof/devices';

/** One device this agent holds: what the API calls it, which driver serves it, and what it is doing now. */
export class DeviceSlot {
  readonly id: string;
  readonly queue: string;
  readonly registration: DeviceRegistration;
  readonly driver: DeviceDriver;
  #currentJobId: string | undefined;
  #health: HealthReport = { ok: true };
  /** failed checks in a row not yet delivered in a heartbeat */
  #unreportedFailures = 0;
  #lastCheckedAt: number | undefined;

  constructor(id: string, queue: string, registration: DeviceRegistration, driver: DeviceDriver) {
    this.id = id;
    this.queue = queue;
    this.registration = registration;
    this.driver = driver;
  }

  get localKey(): string {
    return this.registration.localKey;
  }

  /** The physical device behind the slot: the same phone seen by two agents has one lease key. */
  get leaseKey(): string {
    const key = this.registration.attributes['leaseKey'];
    return typeof key === 'string' && key ? key : `device:${this.id}`;
  }

  get currentJobId(): string | undefined {
    return this.#currentJobId;
  }

  get health(): HealthReport {
    return this.#health;
  }

  begin(jobId: string): void {
    this.#currentJobId = jobId;
  }

  end(): void {
    this.#currentJobId = undefined;
  }

  /** Asks the driver; a throwing health check counts as unhealthy. */
  async checkHealth(): Promise<HealthReport> {
    let report: HealthReport;
    try {
      report = await this.driver.healthCheck(this.registration);
    } catch (err) {
      report = { ok: false, reason: `health check failed: ${err instanceof Error ? err.message : String(err)}` };
    }
    return this.record(report);
  }

  /**
   * Keeps the latest report and counts failures in a row. A driver that caches its probes repeats the
   * same `checkedAt`, which counts once; `checkedAt: 0` means "not probed yet" and never counts.
   */
  record(report: HealthReport): HealthReport {
    this.#health = report;
    const fresh = report.checkedAt === undefined || (report.checkedAt !== 0 && report.checkedAt !== this.#lastCheckedAt);
    if (fresh) {
      this.#lastCheckedAt = report.checkedAt;
      this.#unreportedFailures = report.ok ? 0 : this.#unreportedFailures + 1;
    }
    return report;
  }

  toHeartbeat(): DeviceHeartbeat {
    const failures = this.#unreportedFailures > 0 ? { healthFailures: this.#unreportedFailures } : {};
    if (this.#currentJobId !== undefined) {
      return { localKey: this.localKey, status: 'busy', currentJobId: this.#currentJobId, ...failures };
    }
    if (!this.#health.ok) {
      return { localKey: this.localKey, status: 'unhealthy', reason: (this.#health.reason ?? 'unhealthy').slice(0, 2000), ...failures };
    }
    return { localKey: this.localKey, status: 'idle', ...failures };
  }

  /** The API has this heartbeat: the failures it carried are counted there. */
  delivered(beat: DeviceHeartbeat): void {
    this.#unreportedFailures = Math.max(0, this.#unreportedFailures - (beat.healthFailures ?? 0));
  }
}
