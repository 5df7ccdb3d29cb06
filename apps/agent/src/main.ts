/** CLI entry: `tsx apps/agent/src/main.ts`. Configuration comes from the environment (see env.ts). */
import { ApiError } from './api-client.ts';
import { startAgent, type RunningAgent } from './agent.ts';
import { loadInventory } from '@edgeproof/devices';
import { androidConfig, browserConfig, contentionConfig, loadEnv } from './env.ts';
import { createLogger } from './logger.ts';

const RETRY_MS = 5_000;

async function main(): Promise<void> {
  const env = loadEnv();
  const logger = createLogger(env.LOG_LEVEL);
  let agent: RunningAgent | undefined;
  let stopping = false;

  const shutdown = (signal: string) => {
    if (stopping) {
      logger.warn({ signal }, 'second signal: exiting now');
      process.exit(1);
    }
    stopping = true;
    logger.info({ signal }, 'shutting down');
    void (agent?.stop() ?? Promise.resolve()).then(
      () => process.exit(0),
      (err: unknown) => {
        logger.error({ err }, 'shutdown failed');
        process.exit(1);
      },
    );
  };
  process.on('SIGTERM', () => shutdown('SIGTERM'));
  process.on('SIGINT', () => shutdown('SIGINT'));

  // the API may come up after the agent: keep trying to register
  while (!stopping && !agent) {
    try {
      agent = await startAgent({
        apiUrl: env.API_URL,
        token: env.AGENT_TOKEN,
        name: env.AGENT_NAME,
        takeover: env.AGENT_TAKEOVER,
        cacheDir: env.AGENT_CACHE_DIR,
        driversConfig: {
          host: env.HOST_DRIVER_ENABLED
            ? { tier: env.HOST_DEVICE_TIER, tags: env.HOST_DEVICE_TAGS, reuseInferenceProcess: env.HOST_REUSE_INFERENCE_PROCESS, contention: contentionConfig(env) }
            : false,
          ...(env.ANDROID_ENABLED ? { android: androidConfig(env) } : {}),
          ...(env.BROWSER_DEVICES > 0 ? { browser: browserConfig(env) } : {}),
          ...(env.DEVICE_INVENTORY ? { inventory: await loadInventory(env.DEVICE_INVENTORY) } : {}),
        },
        logger,
        pollWaitMs: env.POLL_WAIT_MS,
        shutdownGraceMs: env.SHUTDOWN_GRACE_MS,
      });
    } catch (err) {
      // 409: another process of this agent is live; it will be replaced once silent (or AGENT_TAKEOVER=true)
      const otherInstance = err instanceof ApiError && err.status === 409 && err.code === 'conflict';
      const retryable = err instanceof ApiError && (err.status === 0 || err.status >= 500 || otherInstance);
      if (!retryable) throw err;
      logger.warn({ err, retryInMs: RETRY_MS }, otherInstance ? 'another process of this agent is live; waiting until it is silent' : 'could not register with the API; retrying');
      await new Promise((r) => setTimeout(r, RETRY_MS));
    }
  }
  if (agent && !stopping) {
    // a second process took this agent over: this one has stopped serving and exits
    void agent.superseded.then((reason) => {
      if (stopping) return;
      process.stderr.write(`edgeproof agent: superseded by another process of agent ${agent?.name}: ${reason}\n`);
      process.exit(3);
    });
  }
}

main().catch((err: unknown) => {
  process.stderr.write(`edgeproof agent: ${err instanceof Error ? err.message : String(err)}\n`);
  process.exit(1);
});
