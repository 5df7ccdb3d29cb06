import type { Db, Prisma } from '@edgeproof/db';
import { CHANGE_CHANNEL, type Change } from './change-feed.ts';

const localDelivery = new WeakMap<Db, (c: Change) => void>();

/** The read caches of the process that owns `db` (plugins/read-cache.ts registers them). */
export function deliverLocally(db: Db, deliver: (c: Change) => void): void {
  localDelivery.set(db, deliver);
}

/**
 * Call inside the transaction that makes the change: Postgres sends the notification to every
 * replica when, and only if, the transaction commits, so no replica goes on serving the old value
 * after the commit beyond the time the notification takes to arrive.
 */
export async function announceChange(tx: Prisma.TransactionClient, c: Change): Promise<void> {
  await tx.$executeRaw`SELECT pg_notify(${CHANGE_CHANNEL}, ${JSON.stringify(c)})`;
}

/** Call after the commit: this process drops its own entries now rather than when its notification comes back. */
export function changeCommitted(db: Db, c: Change): void {
  localDelivery.get(db)?.(c);
}
