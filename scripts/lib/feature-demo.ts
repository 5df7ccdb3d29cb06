/**
 * The feature part of `npm run demo -- --feature`: builds the bundled item detector, the reference
 * and detection-only feature bundles and a generated shelf scene, uploads them, replays each bundle
 * on the agent's browser device (Appium → headless Chromium, the scene as its fake camera) and
 * prints the tracking table.
 */
import { execFile } from 'node:child_process';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { promisify } from 'node:util';
import Table from 'cli-table3';
import type { EdgeproofClient } from '@edgeproof/cli';
import type { FeatureBuildOut, FeatureSummary, RunOut, ScenarioOut } from '@edgeproof/contracts';
import { buildFeatureBundles, FEATURE_BUNDLES, type FeatureBundleName } from '@edgeproof/feature-zoo';
import { writeScenario } from '@edgeproof/scenes';
import { freePort } from '@edgeproof/testkit';

const run = promisify(execFile);

/** Appium from device-farm/ on a free port (its chromium driver installed offline into .appium). */
export async function startDemoAppium(repoRoot: string): Promise<{ url: string; stop(): Promise<void> }> {
  const port = await freePort();
  const env = { ...process.env, APPIUM_HOME: join(repoRoot, '.appium'), APPIUM_PORT: String(port) };
  await run(join(repoRoot, 'device-farm/install-drivers.sh'), [], { env: { ...env, APPIUM_DRIVERS: 'chromium' } });
  await run(join(repoRoot, 'device-farm/start-appium.sh'), [], { env });
  return {
    url: `http://127.0.0.1:${port}`,
    stop: async () => void (await run(join(repoRoot, 'device-farm/stop-appium.sh'), [], { env }).catch(() => {})),
  };
}

const fmt = (v: number | null | undefined, digits = 3) => (v === null || v === undefined ? '—' : v.toFixed(digits));

async function upload<T>(client: EdgeproofClient, path: string, files: Record<string, { path: string; name: string }>, fields: Record<string, string> = {}): Promise<T> {
  const form = new FormData();
  for (const [k, v] of Object.entries(fields)) form.append(k, v);
  for (const [k, f] of Object.entries(files)) form.append(k, new Blob([await readFile(f.path)]), f.name);
  const res = await client.request<T>('POST', path, { body: form });
  if (res.status >= 300) throw new Error(`POST ${path}: ${res.status} ${JSON.stringify(res.body)}`);
  return res.body;
}

export async function runFeatureDemo(opts: {
  client: EdgeproofClient;
  repoRoot: string;
  deviceId: string;
  seconds: number;
  say: (line: string) => void;
}): Promise<boolean> {
  const { client, say } = opts;
  const dataDir = join(opts.repoRoot, '.data');
  say('building the item detector and feature bundles, and a shelf scene…');
  const builds = await buildFeatureBundles(join(dataDir, 'features'));
  const scene = writeScenario(join(dataDir, 'scenes', `shelf-7-${opts.seconds}s`), { seed: 7, durationSeconds: opts.seconds, name: 'shelf-scene-7', version: `${opts.seconds}s` });

  await client.ensureModel({ name: 'item-detector', taskKind: 'detection', owner: 'edgeproof-demo', description: 'designed shelf-item detector (feature-zoo)' });
  const detectorVersion = `1.0.0-${builds.detector.sha256.slice(0, 8)}`;
  await client.uploadModelVersion('item-detector', builds.detector.path, { version: detectorVersion });
  const scenario = await upload<ScenarioOut>(client, '/v1/scenarios', {
    video: { path: scene.paths.video, name: 'video.y4m' },
    groundTruth: { path: scene.paths.groundTruth, name: 'gt.txt' },
    manifest: { path: scene.paths.manifest, name: 'scenario.json' },
  });
  say(`scenario: ${scenario.name} ${scenario.version} — ${scenario.width}x${scenario.height} @ ${scenario.fps} fps, ${scenario.frameCount} frames, ${scenario.tracks} items`);

  const summaries: Array<[FeatureBundleName, FeatureSummary | null, RunOut]> = [];
  for (const name of Object.keys(FEATURE_BUNDLES) as FeatureBundleName[]) {
    const b = builds.bundles[name];
    const build = await upload<FeatureBuildOut>(client, '/v1/features', { file: { path: b.path, name: b.file } }, {
      name: `item-finder-${name}`,
      version: b.sha256.slice(0, 12),
      platform: 'web',
      models: JSON.stringify({ detector: { model: 'item-detector', version: detectorVersion } }),
      description: b.description,
    });
    say(`feature:  ${build.name} ${build.version} (${build.sizeBytes} bytes) pins item-detector ${detectorVersion}`);
    const created = await client.createRun({
      model: 'item-detector',
      version: detectorVersion,
      benchmarks: ['feature'],
      feature: { name: build.name, version: build.version },
      scenario: { name: scenario.name, version: scenario.version },
      devices: { ids: [opts.deviceId] },
      settings: { timeoutSeconds: 120 + opts.seconds * 4, feature: {} },
    });
    const done = await client.waitForRun(created.id, { timeoutMs: (180 + opts.seconds * 4) * 1000 });
    const job = done.jobs[0];
    if (job?.status !== 'succeeded') say(`  ${name}: ${job?.status ?? 'no job'} ${job?.error ?? ''}`);
    summaries.push([name, (job?.result?.summary as FeatureSummary | undefined) ?? null, done]);
  }

  const table = new Table({
    head: ['bundle', 'MOTA', 'IDF1', 'ID sw', 'frag', 'prec', 'recall', 'TTFR p50 ms', 'flickers', 'lat p50/p90 ms', 'fps', 'dropped', 'CPU %', 'temp rise', 'J/min'],
  });
  for (const [name, s] of summaries) {
    if (!s) {
      table.push([name, { colSpan: 14, content: 'failed' }]);
      continue;
    }
    const t = s.tracking;
    const lat = s.delivery.latencyMs;
    table.push([
      name,
      fmt(t.mota),
      fmt(t.idf1),
      t.idSwitches,
      t.fragmentations,
      fmt(t.precision),
      fmt(t.recall),
      fmt(s.experience.timeToFirstResultMs?.p50, 0),
      s.experience.flickers,
      lat ? `${lat.p50.toFixed(1)} / ${lat.p90.toFixed(1)}` : '—',
      fmt(s.delivery.processedFps, 1),
      `${(s.delivery.droppedRatio * 100).toFixed(0)}%`,
      fmt(s.cost.cpuPercentMean, 0),
      s.cost.temperatureRiseC === null ? 'unavailable' : `${s.cost.temperatureRiseC.toFixed(1)} °C`,
      s.cost.energyJoulesPerMinute === null ? 'unavailable' : s.cost.energyJoulesPerMinute.toFixed(1),
    ]);
  }
  say('');
  say(table.toString());
  say('latency: capture (requestVideoFrameCallback) → result (after process() resolved), performance.now() in the page; CPU: /proc of the Chromium process tree');
  for (const [name, , r] of summaries) say(`${name}: ${r.status}  results: /v1/runs/${r.id}`);
  return summaries.every(([, s]) => s !== null);
}
