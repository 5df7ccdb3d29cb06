export { createDb, type Db } from './client.ts';
export { Prisma } from './generated/prisma/client.ts';
export type * from './generated/prisma/models.ts';
export * as DbEnums from './generated/prisma/enums.ts';
export { migrateDatabase } from './migrate.ts';
