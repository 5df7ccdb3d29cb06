import { EventEmitter } from 'node:events';
import type { Redis } from 'ioredis';

/**
 * Wakes long polls waiting for a device when a job is queued for it, on every API replica: the
 * producer publishes the device id on one Redis channel; every replica's subscriber wakes its own
 * waiters. A missed message costs at most one poll interval: waiters also wake on a timer.
 */
export class JobWakeups {
  readonly #local = new EventEmitter();
  readonly #channel: string;
  readonly #publisher: Redis;
  readonly #subscriber: Redis;

  constructor(publisher: Redis, prefix: string) {
    this.#publisher = publisher;
    this.#channel = `${prefix}:job-ready`;
    this.#local.setMaxListeners(0);
    this.#subscriber = publisher.duplicate();
    this.#subscriber.on('error', () => undefined); // reconnects on its own; polls still wake on their timer
    this.#subscriber.on('message', (_channel: string, deviceId: string) => this.#local.emit(deviceId));
    void this.#subscriber.subscribe(this.#channel).catch(() => undefined);
  }

  /** A job was queued for this device. Never throws: a lost wake-up only delays the poll. */
  async notify(deviceId: string): Promise<void> {
    this.#local.emit(deviceId);
    await this.#publisher.publish(this.#channel, deviceId).catch(() => undefined);
  }

  /** Resolves after `ms`, or sooner when one of the devices gets a job or the signal aborts. */
  wait(deviceIds: readonly string[], ms: number, signal?: AbortSignal): Promise<void> {
    return new Promise((resolve) => {
      const done = () => {
        clearTimeout(timer);
        for (const id of deviceIds) this.#local.off(id, done);
        signal?.removeEventListener('abort', done);
        resolve();
      };
      const timer = setTimeout(done, ms);
      for (const id of deviceIds) this.#local.once(id, done);
      signal?.addEventListener('abort', done, { once: true });
    });
  }

  async close(): Promise<void> {
    this.#local.removeAllListeners();
    await this.#subscriber.quit().catch(() => this.#subscriber.disconnect());
  }
}
