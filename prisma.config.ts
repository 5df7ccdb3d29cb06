import { defineConfig } from 'prisma/config';

// `prisma generate` needs no database; migrate commands get DATABASE_URL from scripts/dev-env or the caller.
export default defineConfig({
  schema: 'prisma/schema.prisma',
  migrations: { path: 'prisma/migrations' },
  datasource: { url: process.env.DATABASE_URL ?? 'postgresql://localhost:5432/edgeproof' },
});
