import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startAgent, type RunningAgent } from '@edgeproof/agent';
import { EdgeproofClient } from '@edgeproof/cli';
import { buildZoo, type ZooManifest } from '@edgeproof/model-zoo';
import { repoRoot } from '@edgeproof/testkit';
import pino from 'pino';
import { startTestApi, type TestApi } from '../../apps/api/test/helpers.ts';

export interface TestPlatform {
  api: TestApi;
  client: EdgeproofClient;
  zoo: ZooManifest;
  zooDir: string;
  agentCacheDir: string;
  startHostAgent(name?: string): Promise<RunningAgent>;
  close(): Promise<void>;
}

/** The real API listening on a port, the bundled models, and a way to start real agents. */
export async function startTestPlatform(): Promise<TestPlatform> {
  // short job locks: a killed agent's job comes back within seconds
  const api = await startTestApi({ JOB_LOCK_DURATION_MS: 5_000, JOB_STALLED_INTERVAL_MS: 1_000 }, { listen: true });
  const zooDir = join(repoRoot, '.data', 'zoo');
  const zoo = await buildZoo(zooDir);
  const agentCacheDir = await mkdtemp(join(tmpdir(), 'edgeproof-agent-cache-'));
  const agents: RunningAgent[] = [];
  return {
    api,
    client: new EdgeproofClient(api.url, api.tokens.ml_engineer),
    zoo,
    zooDir,
    agentCacheDir,
    startHostAgent: async (name = 'test-host') => {
      const agent = await startAgent({
        apiUrl: api.url,
        token: await api.agentToken(name),
        name,
        cacheDir: agentCacheDir,
        driversConfig: { host: { tier: 'mid' } },
        logger: pino({ level: 'silent' }),
        shutdownGraceMs: 1_000,
      });
      agents.push(agent);
      return agent;
    },
    close: async () => {
      for (const a of agents) await a.stop();
      await api.close();
      await rm(agentCacheDir, { recursive: true, force: true });
    },
  };
}

/** Short but honest measurement settings for tests. */
export const quickSettings = {
  warmupMinRuns: 1,
  warmupMinSeconds: 0.05,
  measureMinRuns: 20,
  measureMinSeconds: 0.1,
  measureMaxSeconds: 2,
  dims: { batch: 1 },
};
