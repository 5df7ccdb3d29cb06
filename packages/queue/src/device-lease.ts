import { randomUUID } from 'node:crypto';
import type { Redis } from 'ioredis';

// free, or held by an earlier incarnation of the same holder (a restarted agent): take it
const ACQUIRE = `local v = redis.call('get', KEYS[1])
if v == false or string.sub(v, 1, string.len(ARGV[2]) + 1) == ARGV[2] .. '|' then
  redis.call('set', KEYS[1], ARGV[1], 'PX', ARGV[3])
  return 1
end
return 0`;
const RELEASE = `if redis.call('get', KEYS[1]) == ARGV[1] then return redis.call('del', KEYS[1]) else return 0 end`;
const RENEW = `if redis.call('get', KEYS[1]) == ARGV[1] then return redis.call('pexpire', KEYS[1], ARGV[2]) else return 0 end`;

export interface DeviceLeaseOptions {
  /** key prefix, e.g. the queue prefix; default "edgeproof" */
  prefix?: string;
  /** how long a lease lives without renewal; a dead holder's lease expires after this; default 30 s */
  ttlMs?: number;
  /** how often a held lease is renewed; default ttlMs / 3 */
  renewEveryMs?: number;
}

/** Who holds a device, as stored in Redis: `<holder>|<token>`. */
export interface LeaseInfo {
  holder: string;
  ttlMs: number;
}

/**
 * A device lease: while one job holds it no other job or agent can use the same physical device.
 * `SET key value NX PX ttl` to take it, renewal only by the holder's token, release by compare-and-delete,
 * so a lease whose holder died simply expires.
 */
export class DeviceLeases {
  readonly #redis: Redis;
  readonly #prefix: string;
  readonly #ttlMs: number;
  readonly #renewEveryMs: number;

  constructor(redis: Redis, opts: DeviceLeaseOptions = {}) {
    this.#redis = redis;
    this.#prefix = opts.prefix ?? 'edgeproof';
    this.#ttlMs = opts.ttlMs ?? 30_000;
    this.#renewEveryMs = opts.renewEveryMs ?? Math.max(100, Math.floor(this.#ttlMs / 3));
    if (this.#renewEveryMs >= this.#ttlMs) throw new Error('renewEveryMs must be shorter than ttlMs');
  }

  key(resource: string): string {
    return `${this.#prefix}:device-lease:${resource}`;
  }

  /**
   * Takes the lease, or returns null when someone else holds it. The lease renews itself until released.
   * `holder` names the holder stably (agent and device slot): a holder that died and came back takes its
   * own stale lease over at once instead of waiting for the TTL.
   */
  async acquire(resource: string, holder: string): Promise<DeviceLease | null> {
    if (holder.includes('|')) throw new Error('a lease holder name must not contain "|"');
    const token = `${holder}|${randomUUID()}`;
    const ok = await this.#redis.eval(ACQUIRE, 1, this.key(resource), token, holder, String(this.#ttlMs));
    if (ok !== 1) return null;
    return new DeviceLease(this.#redis, this.key(resource), token, this.#ttlMs, this.#renewEveryMs);
  }

  /** The current holder, or null when the device is free. */
  async holder(resource: string): Promise<LeaseInfo | null> {
    const key = this.key(resource);
    const [value, ttl] = await Promise.all([this.#redis.get(key), this.#redis.pttl(key)]);
    if (value === null) return null;
    return { holder: value.slice(0, value.lastIndexOf('|')), ttlMs: ttl };
  }
}

export class DeviceLease {
  readonly #redis: Redis;
  readonly key: string;
  readonly token: string;
  readonly #ttlMs: number;
  #timer: NodeJS.Timeout | undefined;
  #lost = false;
  #released = false;
  readonly #lostListeners: ((reason: string) => void)[] = [];

  constructor(redis: Redis, key: string, token: string, ttlMs: number, renewEveryMs: number) {
    this.#redis = redis;
    this.key = key;
    this.token = token;
    this.#ttlMs = ttlMs;
    this.#timer = setInterval(() => void this.renew(), renewEveryMs);
    this.#timer.unref();
  }

  /** true once a renewal found the lease gone or taken over (e.g. it expired while Redis was unreachable) */
  get lost(): boolean {
    return this.#lost;
  }

  onLost(listener: (reason: string) => void): void {
    this.#lostListeners.push(listener);
  }

  /** Extends the lease by its TTL; false (and `lost`) when this holder no longer has it. */
  async renew(): Promise<boolean> {
    if (this.#released || this.#lost) return false;
    let ok: boolean;
    try {
      ok = (await this.#redis.eval(RENEW, 1, this.key, this.token, String(this.#ttlMs))) === 1;
    } catch {
      return false; // Redis unreachable: try again next tick; the TTL decides
    }
    if (!ok && !this.#released) {
      this.#lost = true;
      this.#stop();
      for (const l of this.#lostListeners) l(`device lease ${this.key} expired or was taken over`);
    }
    return ok;
  }

  /** Deletes the lease only if this holder still has it. */
  async release(): Promise<boolean> {
    if (this.#released) return false;
    this.#released = true;
    this.#stop();
    return (await this.#redis.eval(RELEASE, 1, this.key, this.token)) === 1;
  }

  #stop(): void {
    clearInterval(this.#timer);
    this.#timer = undefined;
  }
}
