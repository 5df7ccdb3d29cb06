import type { FastifyBaseLogger } from 'fastify';
import pg from 'pg';

/** The one NOTIFY channel every API replica LISTENs on; payloads are `Change` JSON. */
export const CHANGE_CHANNEL = 'edgeproof_changes';

/**
 * What changed: `approval` (key: model name) covers approvals, supersessions and revocations,
 * `release` (key: `app\nappVersion`) a release manifest, `token` (key: token hash) a revocation.
 */
export type ChangeTopic = 'approval' | 'release' | 'token';
export interface Change {
  topic: ChangeTopic;
  key: string;
}

export interface ChangeSubscriber {
  change(c: Change): void;
  /** everything cached may be stale: notifications were (or may have been) missed */
  reset(): void;
}

export interface ChangeFeedOptions {
  connectionString: string;
  log: FastifyBaseLogger;
  /** first reconnect delay; doubles per failed attempt up to maxBackoffMs (with jitter) */
  minBackoffMs?: number;
  maxBackoffMs?: number;
  /** a query on the listening connection this often: a half-open TCP connection delivers nothing and says nothing */
  pingIntervalMs?: number;
  connectTimeoutMs?: number;
}

/**
 * One dedicated Postgres connection per process, LISTENing for changes other replicas (and this one)
 * commit. `live` is true only while that connection is up and listening: caches serve and store only
 * then. Losing the connection resets every subscriber at once, and so does getting it back (whatever
 * was committed in between was never announced to this process).
 */
export class ChangeFeed {
  readonly #opts: Required<Omit<ChangeFeedOptions, 'log' | 'connectionString'>> & Pick<ChangeFeedOptions, 'log' | 'connectionString'>;
  readonly #subscribers = new Set<ChangeSubscriber>();
  readonly #waiters = new Set<{ match: (c: Change) => boolean; done: (seen: boolean) => void }>();
  #client: pg.Client | null = null;
  #live = false;
  #closed = false;
  #failures = 0;
  #retry: NodeJS.Timeout | undefined;
  #ping: NodeJS.Timeout | undefined;
  /** successful LISTENs so far (1 after start, +1 per reconnect) */
  connects = 0;
  /** notifications received */
  received = 0;

  constructor(opts: ChangeFeedOptions) {
    this.#opts = { minBackoffMs: 100, maxBackoffMs: 10_000, pingIntervalMs: 15_000, connectTimeoutMs: 3_000, ...opts };
  }

  get live(): boolean {
    return this.#live;
  }

  /** the listening connection's backend process id (tests terminate it), null while disconnected */
  get backendPid(): number | null {
    return this.#live ? ((this.#client as unknown as { processID?: number } | null)?.processID ?? null) : null;
  }

  subscribe(s: ChangeSubscriber): void {
    this.#subscribers.add(s);
  }

  /** Delivers a change this process committed itself, before its own notification comes back. */
  deliver(c: Change): void {
    for (const s of this.#subscribers) s.change(c);
  }

  /**
   * Resolves true once this process's listening connection receives a notification matching
   * `match` (false after `timeoutMs`, or at once while the feed is down). Postgres queues a
   * notification for every listening replica at the same commit, so when a replica's own comes
   * back the others have been sent theirs too.
   */
  waitFor(match: (c: Change) => boolean, timeoutMs: number): { seen: Promise<boolean>; cancel: () => void } {
    if (!this.#live) return { seen: Promise.resolve(false), cancel: () => {} };
    let waiter!: { match: (c: Change) => boolean; done: (seen: boolean) => void };
    const seen = new Promise<boolean>((resolve) => {
      const timer = setTimeout(() => waiter.done(false), timeoutMs);
      waiter = {
        match,
        done: (ok) => {
          clearTimeout(timer);
          this.#waiters.delete(waiter);
          resolve(ok);
        },
      };
      this.#waiters.add(waiter);
    });
    return { seen, cancel: () => waiter.done(false) };
  }

  /** Connects once; if that fails the feed keeps retrying in the background (caches stay off meanwhile). */
  async start(): Promise<void> {
    await this.#connect();
    this.#ping = setInterval(() => void this.#checkAlive(), this.#opts.pingIntervalMs);
    this.#ping.unref();
  }

  async close(): Promise<void> {
    this.#closed = true;
    clearTimeout(this.#retry);
    clearInterval(this.#ping);
    const client = this.#client;
    this.#client = null;
    this.#live = false;
    await client?.end().catch(() => undefined);
  }

  async #connect(): Promise<void> {
    if (this.#closed) return;
    const client = new pg.Client({ connectionString: this.#opts.connectionString, connectionTimeoutMillis: this.#opts.connectTimeoutMs, keepAlive: true });
    let lost = false;
    const onLost = (err?: Error) => {
      if (lost) return;
      lost = true;
      this.#lost(client, err);
    };
    client.on('error', onLost);
    client.on('end', () => onLost());
    client.on('notification', (msg) => {
      if (msg.channel !== CHANGE_CHANNEL || !msg.payload) return;
      this.received++;
      let change: Change;
      try {
        change = JSON.parse(msg.payload) as Change;
      } catch {
        this.#opts.log.warn({ payload: msg.payload }, 'change notification that is not JSON: dropping every cache');
        return this.#reset();
      }
      this.deliver(change);
      for (const w of [...this.#waiters]) if (w.match(change)) w.done(true);
    });
    try {
      await client.connect();
      await client.query(`LISTEN ${CHANGE_CHANNEL}`);
    } catch (err) {
      lost = true;
      await client.end().catch(() => undefined);
      this.#scheduleReconnect(err as Error);
      return;
    }
    if (this.#closed) {
      await client.end().catch(() => undefined);
      return;
    }
    this.#client = client;
    this.#failures = 0;
    this.#live = true;
    this.connects++;
    // reads that began before LISTEN took effect may hold data older than a missed notification
    this.#reset();
    if (this.connects > 1) this.#opts.log.info('change feed reconnected: caches dropped and refilled from the database');
  }

  #lost(client: pg.Client, err?: Error): void {
    if (this.#client !== client) return;
    this.#client = null;
    this.#live = false;
    this.#reset();
    void client.end().catch(() => undefined);
    this.#scheduleReconnect(err ?? new Error('connection ended'));
  }

  #scheduleReconnect(err: Error): void {
    if (this.#closed) return;
    const base = Math.min(this.#opts.maxBackoffMs, this.#opts.minBackoffMs * 2 ** this.#failures);
    this.#failures++;
    const delay = Math.round(base / 2 + Math.random() * (base / 2));
    this.#opts.log.warn({ err: err.message, retryInMs: delay }, 'change feed (LISTEN connection) is down: caches are off until it is back');
    clearTimeout(this.#retry);
    this.#retry = setTimeout(() => void this.#connect(), delay);
    this.#retry.unref();
  }

  async #checkAlive(): Promise<void> {
    const client = this.#client;
    if (!client || !this.#live) return;
    let timer: NodeJS.Timeout | undefined;
    const timeout = new Promise<never>((_, reject) => {
      timer = setTimeout(() => reject(new Error('ping timed out')), this.#opts.connectTimeoutMs);
    });
    try {
      await Promise.race([client.query('SELECT 1'), timeout]);
    } catch (err) {
      this.#lost(client, err as Error);
    } finally {
      clearTimeout(timer);
    }
  }

  #reset(): void {
    for (const s of this.#subscribers) s.reset();
    for (const w of [...this.#waiters]) w.done(false);
  }
}
