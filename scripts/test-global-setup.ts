import pg from 'pg';
import type { TestProject } from 'vitest/node';
import { migrateDatabase } from '@edgeproof/db';
import { ensureServices } from './lib/services.ts';

import '@edgeproof/testkit';

/** Migrates one template database; every test file clones it (CREATE DATABASE ... TEMPLATE). */
export default async function setup(project: TestProject) {
  const services = await ensureServices();
  const template = new URL(services.databaseUrl);
  template.pathname = `/edgeproof_test_template_${process.pid}`;
  await migrateDatabase(template.toString());
  project.provide('templateDatabaseUrl', template.toString());
  project.provide('redisUrl', services.redisUrl);
  return async () => {
    const admin = new URL(template);
    admin.pathname = '/postgres';
    const client = new pg.Client({ connectionString: admin.toString() });
    await client.connect();
    await client.query(`DROP DATABASE IF EXISTS "${template.pathname.slice(1)}" WITH (FORCE)`);
    await client.end();
    await services.stop();
  };
}
