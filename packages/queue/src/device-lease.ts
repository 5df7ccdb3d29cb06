import { randomUUID } from 'node:crypto';
import type { Redis } from 'ioredis';
import { agentEpochKey } from './agent-epoch.ts';

// KEYS: lease, agent epoch, history. ARGV: token, ttl, epoch ('' = unfenced), resource.
// A holder whose agent has a newer epoch (another process took the agent over) is fenced: -1.
// A lease is only ever taken when free: a restarted agent waits for its dead process's lease to expire,
// since nothing proves that process stopped measuring.
const ACQUIRE = `if ARGV[3] ~= '' then
  local cur = tonumber(redis.call('get', KEYS[2]) or '0')
  local mine = tonumber(ARGV[3])
  if cur > mine then return -1 end
  if mine > cur then redis.call('set', KEYS[2], ARGV[3]) end
end
if redis.call('set', KEYS[1], ARGV[1], 'NX', 'PX', ARGV[2]) then
  local t = redis.call('time')
  redis.call('xadd', KEYS[3], 'MAXLEN', '~', '100000', '*', 'event', 'acquire', 'resource', ARGV[4], 'token', ARGV[1], 'atUs', t[1] .. string.format('%06d', t[2]))
  return 1
end
return 0`;
// KEYS: lease, agent epoch. ARGV: token, ttl, epoch.
const RENEW = `if ARGV[3] ~= '' and tonumber(redis.call('get', KEYS[2]) or '0') > tonumber(ARGV[3]) then return -1 end
if redis.call('get', KEYS[1]) == ARGV[1] then return redis.call('pexpire', KEYS[1], ARGV[2]) end
return 0`;
// KEYS: lease, history. ARGV: token, resource.
const RELEASE = `if redis.call('get', KEYS[1]) == ARGV[1] then
  redis.call('del', KEYS[1])
  local t = redis.call('time')
  redis.call('xadd', KEYS[2], 'MAXLEN', '~', '100000', '*', 'event', 'release', 'resource', ARGV[2], 'token', ARGV[1], 'atUs', t[1] .. string.format('%06d', t[2]))
  return 1
end
return 0`;

export interface DeviceLeaseOptions {
  /** key prefix, e.g. the queue prefix; default "edgeproof" */
  prefix?: string;
  /** how long a lease lives without renewal; a dead holder's lease expires after this; default 30 s */
  ttlMs?: number;
  /** how often a held lease is renewed; default ttlMs / 3 */
  renewEveryMs?: number;
}

/** Who holds a device, as stored in Redis: `<holder>|<epoch>|<token>`. */
export interface LeaseInfo {
  holder: string;
  /** the holder agent's fencing epoch; null for an unfenced holder */
  epoch: number | null;
  ttlMs: number;
}

/** The agent process that asks is no longer the agent's live instance (a newer epoch took it over). */
export interface LeaseFence {
  agent: string;
  epoch: number;
}

/** One entry of the lease history (a capped Redis stream): when each lease was taken and given back. */
export interface LeaseEvent {
  event: 'acquire' | 'release';
  resource: string;
  holder: string;
  epoch: number | null;
  token: string;
  /** Redis server time, microseconds since the epoch */
  atUs: number;
}

export class LeaseFencedError extends Error {
  override name = 'LeaseFencedError';
}

const parseValue = (value: string) => {
  const [holder = '', epoch = ''] = value.split('|');
  return { holder, epoch: epoch === '' ? null : Number(epoch) };
};

/**
 * A device lease: while one job holds it no other job or agent can use the same physical device.
 * `SET key value NX PX ttl` to take it, renewal only by the holder's token and only while its agent's
 * epoch is current, release by compare-and-delete, so a lease whose holder died simply expires and a
 * superseded process can neither take nor keep one.
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

  get historyKey(): string {
    return `${this.#prefix}:device-lease-history`;
  }

  #epochKey(fence: LeaseFence | undefined): string {
    return fence ? agentEpochKey(this.#prefix, fence.agent) : `${this.#prefix}:agent-epoch:-`;
  }

  /**
   * Takes the lease, or returns null when someone holds it. The lease renews itself until released.
   * With a fence, throws LeaseFencedError when the agent has a newer epoch than the caller's.
   */
  async acquire(resource: string, holder: string, fence?: LeaseFence): Promise<DeviceLease | null> {
    const token = await this.take(resource, holder, fence);
    if (token === null) return null;
    return new DeviceLease(this.#redis, { key: this.key(resource), resource, token, epochKey: this.#epochKey(fence), historyKey: this.historyKey, epoch: fence?.epoch, ttlMs: this.#ttlMs, renewEveryMs: this.#renewEveryMs });
  }

  /**
   * Takes the lease without renewing it (the caller renews with `renew`, e.g. when its holder calls in);
   * returns its token, or null when someone holds it. `id` makes the token known in advance.
   */
  async take(resource: string, holder: string, fence?: LeaseFence, id: string = randomUUID()): Promise<string | null> {
    if (holder.includes('|')) throw new Error('a lease holder name must not contain "|"');
    const token = `${holder}|${fence?.epoch ?? ''}|${id}`;
    const ok = await this.#redis.eval(ACQUIRE, 3, this.key(resource), this.#epochKey(fence), this.historyKey, token, String(this.#ttlMs), String(fence?.epoch ?? ''), resource);
    if (ok === -1) throw new LeaseFencedError(`agent ${fence?.agent} has a newer instance than epoch ${fence?.epoch}: this process may not take devices`);
    return ok === 1 ? token : null;
  }

  /** Extends a lease taken with `take`: 'renewed', 'lost' (expired or someone else's) or 'fenced'. */
  async renew(resource: string, token: string, fence?: LeaseFence): Promise<'renewed' | 'lost' | 'fenced'> {
    const answer = await this.#redis.eval(RENEW, 2, this.key(resource), this.#epochKey(fence), token, String(this.#ttlMs), String(fence?.epoch ?? ''));
    return answer === 1 ? 'renewed' : answer === -1 ? 'fenced' : 'lost';
  }

  /** Gives back a lease taken with `take`, only if `token` still holds it. */
  async release(resource: string, token: string): Promise<boolean> {
    return (await this.#redis.eval(RELEASE, 2, this.key(resource), this.historyKey, token, resource)) === 1;
  }

  /** The current holder, or null when the device is free. */
  async holder(resource: string): Promise<LeaseInfo | null> {
    const key = this.key(resource);
    const [value, ttl] = await Promise.all([this.#redis.get(key), this.#redis.pttl(key)]);
    if (value === null) return null;
    return { ...parseValue(value), ttlMs: ttl };
  }

  /** Every recorded acquire and release, oldest first (capped at ~100,000 entries). */
  async history(): Promise<LeaseEvent[]> {
    const entries = await this.#redis.xrange(this.historyKey, '-', '+');
    return entries.map(([, fields]) => {
      const f: Record<string, string> = {};
      for (let i = 0; i + 1 < fields.length; i += 2) f[fields[i] as string] = fields[i + 1] as string;
      const token = f['token'] ?? '';
      return { event: f['event'] as LeaseEvent['event'], resource: f['resource'] ?? '', token, ...parseValue(token), atUs: Number(f['atUs']) };
    });
  }
}

interface LeaseState {
  key: string;
  resource: string;
  token: string;
  epochKey: string;
  historyKey: string;
  epoch: number | undefined;
  ttlMs: number;
  renewEveryMs: number;
}

export class DeviceLease {
  readonly #redis: Redis;
  readonly #s: LeaseState;
  #timer: NodeJS.Timeout | undefined;
  #lost = false;
  #released = false;
  readonly #lostListeners: ((reason: string) => void)[] = [];

  constructor(redis: Redis, state: LeaseState) {
    this.#redis = redis;
    this.#s = state;
    this.#timer = setInterval(() => void this.renew(), state.renewEveryMs);
    this.#timer.unref();
  }

  get key(): string {
    return this.#s.key;
  }

  get token(): string {
    return this.#s.token;
  }

  /** true once a renewal found the lease gone, taken over, or its agent superseded */
  get lost(): boolean {
    return this.#lost;
  }

  onLost(listener: (reason: string) => void): void {
    this.#lostListeners.push(listener);
  }

  /** Extends the lease by its TTL; false (and `lost`) when this holder no longer has it. */
  async renew(): Promise<boolean> {
    if (this.#released || this.#lost) return false;
    let answer: unknown;
    try {
      answer = await this.#redis.eval(RENEW, 2, this.#s.key, this.#s.epochKey, this.#s.token, String(this.#s.ttlMs), String(this.#s.epoch ?? ''));
    } catch {
      return false; // Redis unreachable: try again next tick; the TTL decides
    }
    if (answer === 1) return true;
    if (!this.#released) {
      this.#lost = true;
      this.#stop();
      const reason = answer === -1 ? `device lease ${this.#s.key}: this agent process was superseded by a newer instance` : `device lease ${this.#s.key} expired or was taken over`;
      for (const l of this.#lostListeners) l(reason);
    }
    return false;
  }

  /** Deletes the lease only if this holder still has it. */
  async release(): Promise<boolean> {
    if (this.#released) return false;
    this.#released = true;
    this.#stop();
    return (await this.#redis.eval(RELEASE, 2, this.#s.key, this.#s.historyKey, this.#s.token, this.#s.resource)) === 1;
  }

  #stop(): void {
    clearInterval(this.#timer);
    this.#timer = undefined;
  }
}
