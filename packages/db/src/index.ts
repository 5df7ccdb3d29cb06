export { createDb, type Db } from './client.ts';
export { Prisma } from './generated/prisma/client.ts';
export type {
  Agent,
  ApiToken,
  Dataset,
  Device,
  EvaluationRun,
  Job,
  Model,
  ModelVersion,
  Result,
} from './generated/prisma/client.ts';
export { migrateDatabase } from './migrate.ts';
export * from './mappers.ts';
