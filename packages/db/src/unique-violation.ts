import { Prisma } from './generated/prisma/client.ts';

export interface UniqueViolation {
  /** the Prisma model, e.g. "ModelVersion" */
  model: string | null;
  /** the fields of the violated unique constraint, when known */
  fields: string[];
}

/**
 * What a unique-constraint failure (Prisma P2002) collided on, or null for any other error. Driver
 * adapters report the index name (`ModelVersion_modelId_version_key`), the native engine its fields.
 */
export function uniqueViolation(err: unknown): UniqueViolation | null {
  if (!(err instanceof Prisma.PrismaClientKnownRequestError) || err.code !== 'P2002') return null;
  const meta = (err.meta ?? {}) as { modelName?: unknown; target?: unknown; driverAdapterError?: { cause?: { constraint?: { fields?: unknown; index?: unknown } } } };
  const model = typeof meta.modelName === 'string' ? meta.modelName : null;
  const constraint = meta.driverAdapterError?.cause?.constraint;
  if (Array.isArray(constraint?.fields)) return { model, fields: constraint.fields.map(String) };
  if (Array.isArray(meta.target)) return { model, fields: meta.target.map(String) };
  const index = typeof constraint?.index === 'string' ? constraint.index : typeof meta.target === 'string' ? meta.target : '';
  const fields = /^[A-Za-z]+_(.+)_key$/.exec(index)?.[1]?.split('_') ?? [];
  return { model, fields };
}
