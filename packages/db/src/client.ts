import { PrismaPg } from '@prisma/adapter-pg';
import { PrismaClient } from './generated/prisma/client.ts';

export type Db = PrismaClient;

/** a new connection that takes longer fails (P1001 / DatabaseNotReachable) instead of hanging its request */
export const CONNECT_TIMEOUT_MS = 3_000;

export function createDb(connectionString: string): Db {
  return new PrismaClient({ adapter: new PrismaPg({ connectionString, connectionTimeoutMillis: CONNECT_TIMEOUT_MS }) });
}
