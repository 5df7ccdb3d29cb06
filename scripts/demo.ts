/**
 * `npm run demo`: the whole platform on one machine with nothing started by hand.
 * Embedded PostgreSQL (or DATABASE_URL), a redis-server (or REDIS_URL), the API, one agent
 * with the host-CPU device; builds the bundled MNIST model and dataset, uploads them,
 * runs latency, accuracy and parity, prints the results and ends (or keeps serving with --serve).
 */
import { spawn } from 'node:child_process';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { EdgeproofClient, renderRunTable } from '@edgeproof/cli';
import { migrateDatabase } from '@edgeproof/db';
import { buildZoo } from '@edgeproof/model-zoo';
import { redactRedisUrl } from '@edgeproof/queue';
import { buildApp } from '../apps/api/src/app.ts';
import { newTokenValue } from '../apps/api/src/services/tokens.ts';
import { runFeatureDemo, startDemoAppium } from './lib/feature-demo.ts';
import { ensureServices, repoRoot } from './lib/services.ts';

const { values: args } = parseArgs({
  options: {
    serve: { type: 'boolean', default: false, description: 'keep the API and agent running after the demo' },
    port: { type: 'string', default: '0' },
    threads: { type: 'string', default: '1' },
    feature: { type: 'boolean', default: false, description: 'also replay the bundled camera feature on a browser device (Appium → Chromium)' },
    'feature-seconds': { type: 'string', default: '8' },
  },
});

const say = (line: string) => process.stdout.write(`${line}\n`);

const services = await ensureServices();
say(`postgres: ${services.databaseUrl.replace(/:[^:@/]+@/, ':***@')}`);
say(`redis:    ${redactRedisUrl(services.redisUrl)}`);
await migrateDatabase(services.databaseUrl);

say('building the bundled model and dataset (cached under .data/zoo)…');
const zooDir = join(repoRoot, '.data', 'zoo');
const zoo = await buildZoo(zooDir, { onProgress: (m) => say(`  ${m}`) });

const adminToken = newTokenValue();
const queuePrefix = 'edgeproof';
const api = await buildApp({
  DATABASE_URL: services.databaseUrl,
  REDIS_URL: services.redisUrl,
  LOG_LEVEL: 'warn',
  ARTIFACT_ROOT: join(repoRoot, '.data', 'artifacts'),
  MAX_ARTIFACT_BYTES: 512 * 1024 * 1024,
  QUEUE_PREFIX: queuePrefix,
  HEARTBEAT_INTERVAL_MS: 2_000,
  DEVICE_OFFLINE_AFTER_MS: 10_000,
  REROUTE_TIMEOUT_MS: 120_000,
  WATCHDOG_INTERVAL_MS: 2_000,
  EDGEPROOF_ADMIN_TOKEN: adminToken,
});
await api.listen({ host: '127.0.0.1', port: Number(args.port) });
const apiUrl = api.publicUrl();
const client = new EdgeproofClient(apiUrl, adminToken);
say(`API:      ${apiUrl}  (OpenAPI at ${apiUrl}/docs)`);

const appium = args.feature ? await startDemoAppium(repoRoot) : undefined;
if (appium) say(`appium:   ${appium.url} (chromium driver, for the browser device)`);
const browserEnv = appium ? { APPIUM_URL: appium.url, BROWSER_DEVICES: '1' } : {};

const agentName = 'demo-host';
const agentToken = await client.createToken(`${agentName}-${Date.now()}`, 'agent', agentName);
const agent = spawn(process.execPath, ['--import', 'tsx', join(repoRoot, 'apps/agent/src/main.ts')], {
  cwd: repoRoot,
  env: { ...process.env, API_URL: apiUrl, AGENT_TOKEN: agentToken, AGENT_NAME: agentName, AGENT_TAKEOVER: 'true', LOG_LEVEL: 'warn', ...browserEnv },
  stdio: ['ignore', 'inherit', 'inherit'],
});
const agentExited = new Promise<number | null>((resolve) => agent.once('exit', resolve));

async function shutdown(code: number): Promise<never> {
  agent.kill('SIGTERM');
  await Promise.race([agentExited, new Promise((r) => setTimeout(r, 5_000))]);
  await api.close();
  await appium?.stop();
  await services.stop();
  process.exit(code);
}

try {
  let device;
  for (let i = 0; i < 120 && !device; i++) {
    device = (await client.listDevices()).find((d) => d.agent === agentName && d.driver === 'host' && d.status !== 'offline');
    if (!device) await new Promise((r) => setTimeout(r, 250));
  }
  if (!device) throw new Error('the agent did not register its host device within 30 s');
  say(`device:   ${device.localKey} — ${device.cpu ?? 'cpu'}, ${device.cores ?? '?'} cores, tier ${device.tier}`);

  const mlp = zoo.files.mnistMlp;
  await client.ensureModel({ name: 'mnist-mlp', taskKind: 'classification', owner: 'edgeproof-demo', description: 'MNIST digit classifier trained by the model zoo' });
  const uploaded = await client.uploadModelVersion('mnist-mlp', join(zooDir, mlp.file), { version: `1.0.0-${mlp.sha256.slice(0, 8)}` });
  say(`model:    mnist-mlp ${uploaded.version.version} (${uploaded.version.sizeBytes} bytes, gzip ${uploaded.version.gzipSizeBytes}) ${uploaded.created ? 'uploaded' : 'already stored'}`);
  const dataset = await client.uploadDataset(join(zooDir, zoo.files.mnistTest.file), { name: 'mnist-test', version: zoo.files.mnistTest.sha256.slice(0, 12) });
  say(`dataset:  ${dataset.name} ${dataset.version} (${dataset.sampleCount} labelled digits)`);

  const run = await client.createRun({
    model: 'mnist-mlp',
    version: uploaded.version.version,
    dataset: { name: dataset.name, version: dataset.version },
    devices: { ids: [device.id] },
    benchmarks: ['latency', 'accuracy', 'parity'],
    settings: { threads: Number(args.threads), dims: { batch: 1 } },
  });
  say(`run:      ${run.id} (${run.jobs.length} jobs)`);
  const done = await client.waitForRun(run.id, {
    timeoutMs: 10 * 60_000,
    onProgress: (r) => say(`  progress: ${r.progress.succeeded + r.progress.failed}/${r.progress.total} done, ${r.progress.running} running`),
  });
  say('');
  say(renderRunTable(done));
  say(`run status: ${done.status}   results: ${apiUrl}/v1/runs/${done.id}`);
  let featureOk = true;
  if (args.feature) {
    let browser;
    for (let i = 0; i < 240 && !browser; i++) {
      browser = (await client.listDevices()).find((d) => d.agent === agentName && d.driver === 'browser' && d.status !== 'offline');
      if (!browser) await new Promise((r) => setTimeout(r, 250));
    }
    if (!browser) throw new Error('the agent did not register its browser device within 60 s');
    say(`device:   ${browser.localKey} — ${browser.model ?? 'browser'} through ${appium?.url}`);
    featureOk = await runFeatureDemo({ client, repoRoot, deviceId: browser.id, seconds: Number(args['feature-seconds']), say });
  }
  if (args.serve) {
    say(`serving until Ctrl-C; admin token for this session: ${adminToken}`);
    process.once('SIGINT', () => void shutdown(0));
    process.once('SIGTERM', () => void shutdown(0));
  } else {
    await shutdown(done.status === 'succeeded' && featureOk ? 0 : 1);
  }
} catch (err) {
  process.stderr.write(`demo failed: ${(err as Error).message}\n`);
  await shutdown(1);
}
