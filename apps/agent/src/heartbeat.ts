import type { ApiClient } from './api-client.ts';
import type { DeviceSlot } from './device-slot.ts';
import type { Logger } from './logger.ts';

export interface HeartbeatOptions {
  api: ApiClient;
  agentId: string;
  slots: DeviceSlot[];
  intervalMs: number;
  logger: Logger;
  /** called after an idle device's health check, e.g. to pause its worker */
  onHealth?: (slot: DeviceSlot) => Promise<void>;
  /** called when a beat fails (after logging it) */
  onError?: (err: unknown) => void;
}

/**
 * Reports every device's status every intervalMs, and soon after `kick()` (a job started or ended).
 * Never two beats at once; a failed beat is logged and the next one tries again.
 */
export class Heartbeat {
  readonly #opts: HeartbeatOptions;
  #timer: NodeJS.Timeout | undefined;
  #inFlight: Promise<void> | undefined;
  #again = false;
  #stopped = false;

  constructor(opts: HeartbeatOptions) {
    this.#opts = opts;
  }

  start(): void {
    // a zero or tiny interval from the API must not become a busy loop
    this.#timer = setInterval(() => this.kick(), Math.max(100, this.#opts.intervalMs));
    this.kick();
  }

  kick(): void {
    if (this.#stopped) return;
    if (this.#inFlight) {
      this.#again = true;
      return;
    }
    this.#inFlight = this.#beat().finally(() => {
      this.#inFlight = undefined;
      if (this.#again) {
        this.#again = false;
        this.kick();
      }
    });
  }

  async stop(): Promise<void> {
    this.#stopped = true;
    clearInterval(this.#timer);
    await this.#inFlight;
  }

  async #beat(): Promise<void> {
    const { api, agentId, slots, logger, onHealth } = this.#opts;
    try {
      for (const slot of slots) {
        if (slot.currentJobId !== undefined) continue;
        const before = slot.health.ok;
        const health = await slot.checkHealth();
        if (health.ok !== before) {
          logger.warn({ device: slot.localKey, health }, health.ok ? 'device healthy again' : 'device unhealthy');
        }
        await onHealth?.(slot);
      }
      const devices = slots.map((s) => s.toHeartbeat());
      await api.heartbeat(agentId, { devices });
      slots.forEach((s, i) => s.delivered(devices[i] as (typeof devices)[number]));
    } catch (err) {
      logger.warn({ err }, 'heartbeat failed');
      this.#opts.onError?.(err);
    }
  }
}
