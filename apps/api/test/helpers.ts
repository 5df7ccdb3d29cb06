import { mkdtemp, readdir, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Role } from '@edgeproof/contracts';
import { createTestDatabase, testRedisUrl, uniqueQueuePrefix } from '@edgeproof/testkit';
import type { FastifyInstance } from 'fastify';
import { buildApp, type AppConfig } from '../src/app.ts';
import { createToken } from '../src/services/tokens.ts';

/** the agent the default agent token (`tokens.agent`) acts for */
export const TEST_AGENT = 'test-agent';

export interface TestApi {
  app: FastifyInstance;
  /** base URL when started with `listen: true`, else '' */
  url: string;
  /** one token per role; the agent token acts for agent `TEST_AGENT` */
  tokens: Record<Role, string>;
  /** a new agent token bound to `agent` */
  agentToken(agent: string): Promise<string>;
  artifactRoot: string;
  databaseUrl: string;
  redisUrl: string;
  queuePrefix: string;
  auth(role: Role): { authorization: string };
  /** every file under the artifact root (blobs and staging) */
  storedFiles(): Promise<string[]>;
  close(): Promise<void>;
}

export async function startTestApi(overrides: Partial<AppConfig> = {}, opts: { listen?: boolean } = {}): Promise<TestApi> {
  const database = await createTestDatabase();
  const artifactRoot = await mkdtemp(join(tmpdir(), 'edgeproof-artifacts-'));
  const queuePrefix = uniqueQueuePrefix();
  const config: AppConfig = {
    DATABASE_URL: database.url,
    REDIS_URL: testRedisUrl(),
    LOG_LEVEL: 'silent',
    ARTIFACT_ROOT: artifactRoot,
    MAX_ARTIFACT_BYTES: 64 * 1024 * 1024,
    QUEUE_PREFIX: queuePrefix,
    HEARTBEAT_INTERVAL_MS: 1000,
    DEVICE_OFFLINE_AFTER_MS: 20_000,
    REROUTE_TIMEOUT_MS: 600_000,
    WATCHDOG_INTERVAL_MS: 1000,
    startWatchdog: false,
    ...overrides,
  };
  const app = await buildApp(config);
  await app.ready();
  const url = opts.listen ? await app.listen({ host: '127.0.0.1', port: 0 }) : '';
  const roles: Role[] = ['admin', 'ml_engineer', 'ci', 'agent', 'viewer'];
  const tokens = Object.fromEntries(
    await Promise.all(
      roles.map(async (r) => [r, (await createToken(app.db, { name: `test-${r}`, role: r, agent: r === 'agent' ? TEST_AGENT : undefined })).token] as const),
    ),
  ) as Record<Role, string>;
  return {
    app,
    url,
    tokens,
    artifactRoot,
    databaseUrl: database.url,
    redisUrl: config.REDIS_URL,
    queuePrefix,
    agentToken: async (agent) => (await createToken(app.db, { name: `test-agent-${agent}`, role: 'agent', agent })).token,
    auth: (role) => ({ authorization: `Bearer ${tokens[role]}` }),
    storedFiles: async () => {
      const entries = await readdir(artifactRoot, { recursive: true, withFileTypes: true });
      return entries.filter((e) => e.isFile()).map((e) => join(e.parentPath, e.name));
    },
    close: async () => {
      await app.close();
      await database.drop();
      await rm(artifactRoot, { recursive: true, force: true });
    },
  };
}

export function modelForm(bytes: Uint8Array, fields: Record<string, string>, filename = 'model.onnx'): FormData {
  const form = new FormData();
  for (const [k, v] of Object.entries(fields)) form.append(k, v);
  form.append('file', new Blob([bytes]), filename);
  return form;
}
