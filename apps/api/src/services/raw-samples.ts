import type { Prisma } from '@edgeproof/db';

/**
 * Results carry up to 1,000,000 raw samples. Prisma's own float[] path took 3.2 s warm and 13 s on
 * the first large insert of a process (bench/ingest.ts), longer than an interactive transaction may
 * run (5 s), which answered such a result with 503. One array literal as a text parameter, cast by
 * PostgreSQL, costs ~1 s for 1M samples. Numbers print as their shortest round-trip form and
 * PostgreSQL reads and prints float8 exactly (PG ≥ 12), so what is read back is what was posted.
 */
export async function storeRawSamples(tx: Prisma.TransactionClient, resultId: string, samples: readonly number[]): Promise<void> {
  if (samples.length === 0) return;
  const literal = `{${samples.join(',')}}`;
  await tx.$executeRaw`UPDATE "Result" SET "rawSamples" = ${literal}::float8[] WHERE "id" = ${resultId}::uuid`;
}

/** how long the result transaction may run: storing a million samples on a loaded machine takes seconds */
export const RESULT_TRANSACTION_TIMEOUT_MS = 60_000;
