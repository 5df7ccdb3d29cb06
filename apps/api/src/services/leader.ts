import { createHash } from 'node:crypto';
import type { Db } from '@edgeproof/db';
import type { FastifyBaseLogger } from 'fastify';

/**
 * Background work with several API replicas on one PostgreSQL: each loop tick runs inside a
 * transaction that first takes `pg_try_advisory_xact_lock` for the loop's name. The lock belongs to
 * that transaction's connection and ends with it (commit, rollback, or the connection dying), so it
 * can never be left held, nor released from another pooled connection as a session lock could.
 * The replica that gets it does the tick; the others skip theirs. The tick's own queries use other
 * pooled connections; every step is also idempotent, so a tick that outlives its transaction
 * (timeout) cannot do harm either.
 */

/** advisory locks are two int4 keys: this namespace and a hash of the loop's name */
const LOCK_NAMESPACE = 0x45504652; // "EPFR"

export function lockKeyOf(name: string): number {
  return createHash('sha256').update(name).digest().readInt32BE(0);
}

export type LeaderOutcome<T> = { led: true; value: T } | { led: false };

/** Runs `fn` only if no other process (or connection) is running the loop `name` right now. */
export async function asLeader<T>(db: Db, name: string, fn: () => Promise<T>, timeoutMs: number): Promise<LeaderOutcome<T>> {
  return db.$transaction(
    async (tx): Promise<LeaderOutcome<T>> => {
      const rows = await tx.$queryRaw<{ locked: boolean }[]>`SELECT pg_try_advisory_xact_lock(${LOCK_NAMESPACE}::int, ${lockKeyOf(name)}::int) AS "locked"`;
      if (!rows[0]?.locked) return { led: false };
      return { led: true, value: await fn() };
    },
    { timeout: timeoutMs, maxWait: 5_000 },
  );
}

/** Runs calls one at a time in this process: a call made while another runs waits for it, then runs. */
export class Serial {
  #tail: Promise<unknown> = Promise.resolve();

  run<T>(fn: () => Promise<T>): Promise<T> {
    const next = this.#tail.then(fn, fn);
    this.#tail = next.catch(() => undefined);
    return next;
  }
}

/**
 * Calls `tick` every `intervalMs`, the next one scheduled only after the previous finished, so
 * ticks never pile up behind a slow one. `stop` waits for a tick in flight.
 */
export function startLoop(name: string, intervalMs: number, tick: () => Promise<unknown>, log: FastifyBaseLogger): { stop(): Promise<void> } {
  let stopped = false;
  let timer: NodeJS.Timeout | undefined;
  let inFlight: Promise<unknown> = Promise.resolve();
  const schedule = () => {
    if (stopped) return;
    timer = setTimeout(() => {
      inFlight = tick()
        .catch((err: unknown) => log.error({ err }, `${name} failed`))
        .finally(schedule);
    }, intervalMs);
    timer.unref();
  };
  schedule();
  return {
    async stop() {
      stopped = true;
      clearTimeout(timer);
      await inFlight;
    },
  };
}
