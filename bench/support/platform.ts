/** The real platform in one process for benchmarks: API on a port, one host agent, bundled models. */
import { mkdtemp } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startAgent, type RunningAgent } from '@edgeproof/agent';
import type { DriversConfig } from '@edgeproof/devices';
import { EdgeproofClient } from '@edgeproof/cli';
import { migrateDatabase } from '@edgeproof/db';
import { buildZoo, type ZooManifest } from '@edgeproof/model-zoo';
import type { FastifyInstance } from 'fastify';
import pg from 'pg';
import pino from 'pino';
import { buildApp } from '../../apps/api/src/app.ts';
import { newTokenValue } from '../../apps/api/src/services/tokens.ts';
import { ensureServices, repoRoot } from '../../scripts/lib/services.ts';

export interface BenchPlatform {
  client: EdgeproofClient;
  zoo: ZooManifest;
  zooDir: string;
  hostDeviceId: string;
  apiUrl: string;
  /** another agent on this API, e.g. with other driver options; stopped by close() */
  startAgent(name: string, driversConfig: DriversConfig): Promise<RunningAgent>;
  close(): Promise<void>;
}

/** A migrated database of its own on the server of `serverUrl`, dropped by `drop()`. */
export async function createBenchDatabase(serverUrl: string, name: string): Promise<{ url: string; drop(): Promise<void> }> {
  const url = new URL(serverUrl);
  url.pathname = `/${name}`;
  await migrateDatabase(url.toString());
  return {
    url: url.toString(),
    drop: async () => {
      const admin = new pg.Client({ connectionString: new URL('/postgres', url).toString() });
      await admin.connect();
      await admin.query(`DROP DATABASE IF EXISTS "${name}" WITH (FORCE)`);
      await admin.end();
    },
  };
}

export async function startBenchPlatform(): Promise<BenchPlatform> {
  const services = await ensureServices();
  const db = await createBenchDatabase(services.databaseUrl, `edgeproof_bench_${process.pid}`);
  const adminToken = newTokenValue();
  const app: FastifyInstance = await buildApp({
    DATABASE_URL: db.url,
    REDIS_URL: services.redisUrl,
    LOG_LEVEL: 'warn',
    ARTIFACT_ROOT: await mkdtemp(join(tmpdir(), 'edgeproof-bench-artifacts-')),
    MAX_ARTIFACT_BYTES: 512 * 1024 * 1024,
    QUEUE_PREFIX: `edgeproof-bench-${process.pid}`,
    HEARTBEAT_INTERVAL_MS: 2_000,
    DEVICE_OFFLINE_AFTER_MS: 30_000,
    REROUTE_TIMEOUT_MS: 600_000,
    WATCHDOG_INTERVAL_MS: 5_000,
    EDGEPROOF_ADMIN_TOKEN: adminToken,
  });
  const url = await app.listen({ host: '127.0.0.1', port: 0 });
  const client = new EdgeproofClient(url, adminToken);
  const agent: RunningAgent = await startAgent({
    apiUrl: url,
    token: await client.createToken('bench-agent', 'agent', 'bench-host'),
    name: 'bench-host',
    cacheDir: await mkdtemp(join(tmpdir(), 'edgeproof-bench-cache-')),
    logger: pino({ level: 'silent' }),
  });
  const zooDir = join(repoRoot, '.data', 'zoo');
  const zoo = await buildZoo(zooDir);
  const more: RunningAgent[] = [];
  return {
    client,
    zoo,
    zooDir,
    hostDeviceId: agent.devices[0]!.id,
    apiUrl: url,
    startAgent: async (name, driversConfig) => {
      const a = await startAgent({
        apiUrl: url,
        token: await client.createToken(name, 'agent', name),
        name,
        cacheDir: await mkdtemp(join(tmpdir(), 'edgeproof-bench-cache-')),
        driversConfig,
        logger: pino({ level: 'silent' }),
      });
      more.push(a);
      return a;
    },
    close: async () => {
      for (const a of more) await a.stop();
      await agent.stop();
      await app.close();
      await db.drop();
      await services.stop();
    },
  };
}

export const median = (xs: readonly number[]) => {
  const s = [...xs].sort((a, b) => a - b);
  const m = Math.floor(s.length / 2);
  return s.length % 2 ? s[m]! : (s[m - 1]! + s[m]!) / 2;
};
