/**
 * Feature harness overhead per frame, measured in one run against a real Appium (chromium driver)
 * and headless Chromium whose fake camera plays a generated scene: for every processed frame the
 * feature harness page times its own work around the feature (pixel readback — VideoFrame.copyTo
 * into a reused buffer, or a canvas where that is unsupported —, frame-code decode, mask, result
 * validation and recording) and the feature's `process()` call, both with performance.now() in the
 * page. Prints, per replay of the reference bundle, the ratio of the
 * harness time to the feature's time (sum over frames). Target: ≤ 5%.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Table from 'cli-table3';
import { BenchmarkSettings } from '@edgeproof/contracts';
import { runBrowserFeatureJob, type FeatureReplayTimings } from '@edgeproof/devices';
import { buildFeatureBundles, DETECTOR_MODEL_KEY } from '@edgeproof/feature-zoo';
import { startHarnessServer } from '@edgeproof/harness-web';
import { writeScenario } from '@edgeproof/scenes';
import { freePort, repoRoot, startAppium } from '@edgeproof/testkit';
import { resolveOptions } from '../packages/devices/src/browser/options.ts';
import { makeJob } from '../packages/devices/test/support/fixtures.ts';
import { median } from './support/platform.ts';

const REPEATS = 3;
const SECONDS = Number(process.env.BENCH_FEATURE_SECONDS ?? 8);
const TARGET = 0.05;

const dir = await mkdtemp(join(tmpdir(), 'ep-bench-feature-'));
const appium = await startAppium({ repoRoot, drivers: ['chromium'] });
const server = await startHarnessServer();
try {
  const builds = await buildFeatureBundles(join(dir, 'builds'));
  const scene = writeScenario(join(dir, 'scene'), { seed: 7, durationSeconds: SECONDS });
  const detector = join(dir, 'builds', builds.detector.file);
  const opts = resolveOptions({ endpoint: { url: appium.url }, profileRoot: dir });
  const ctx = { opts, server, slotName: 'bench-1', chromedriverPort: await freePort() };
  const table = new Table({ head: ['replay', 'frames', 'harness ms/frame p50 (mean)', 'of it pixel readback p50 (method)', 'process() ms/frame p50 (mean)', 'harness / process', `target ≤ ${TARGET * 100}%`] });
  const ratios: number[] = [];
  for (let i = 1; i <= REPEATS; i++) {
    let timings: FeatureReplayTimings | undefined;
    const job = {
      ...makeJob(detector, 'feature'),
      settings: BenchmarkSettings.parse({ timeoutSeconds: 120 + SECONDS * 2, feature: {} }),
      feature: { name: 'reference', version: 'bench', platform: 'web' as const, path: join(dir, 'builds', builds.bundles.reference.file), sha256: builds.bundles.reference.sha256, models: { [DETECTOR_MODEL_KEY]: { path: detector, name: 'item-detector', version: 'bench' } } },
      scenario: { manifest: scene.manifest, videoPath: scene.paths.video, groundTruthPath: scene.paths.groundTruth },
    };
    await runBrowserFeatureJob(ctx, job, new AbortController().signal, (t) => (timings = t));
    if (!timings) throw new Error('the replay reported no timings');
    const { harnessMs, grabMs, processMs, grabMethod } = timings;
    const sum = (xs: number[]) => xs.reduce((a, b) => a + b, 0);
    const ratio = sum(harnessMs) / sum(processMs);
    ratios.push(ratio);
    table.push([
      `#${i}`,
      harnessMs.length,
      `${median(harnessMs).toFixed(3)} (${(sum(harnessMs) / harnessMs.length).toFixed(3)})`,
      `${median(grabMs).toFixed(3)} (${grabMethod})`,
      `${median(processMs).toFixed(3)} (${(sum(processMs) / processMs.length).toFixed(3)})`,
      `${(ratio * 100).toFixed(2)}%`,
      ratio <= TARGET ? 'met' : 'NOT met',
    ]);
  }
  process.stdout.write(`${table.toString()}\n`);
  const m = median(ratios);
  process.stdout.write(`median harness / process over ${REPEATS} replays of a ${SECONDS} s scene (320x240, 15 fps): ${(m * 100).toFixed(2)}% — target ${m <= TARGET ? 'met' : 'NOT met'}\n`);
  process.exitCode = m <= TARGET ? 0 : 1;
} finally {
  await server.close();
  await appium.stop();
  await rm(dir, { recursive: true, force: true });
}
