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
export type { Approval, AuditEntry, DevicePopulation, GateEvaluation, GatePolicy, ReleaseManifest } from './generated/prisma/client.ts';
export * from './gating-mappers.ts';
export type { FeatureBuild, FeatureBuildModel, Scenario } from './generated/prisma/client.ts';
export * from './feature-mappers.ts';
export { uniqueViolation, type UniqueViolation } from './unique-violation.ts';
