import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import * as ort from 'onnxruntime-node';
import { generateScenario } from '@edgeproof/scenes';
import { buildFeatureBundles } from './build.ts';
import type { OrtLike } from './bundle/ort.ts';
import { evaluateFeatureBundles } from './evaluate.ts';

/**
 * `npm run evaluate -w packages/feature-zoo -- [--seed N] [--duration S] [--out DIR]
 *   [--every K] [--detect-every N] [--threads T]`
 * Generates a scene, builds both bundles, replays the scene through each with onnxruntime-node and
 * prints the tracking table.
 */
const { values } = parseArgs({
  options: {
    seed: { type: 'string', default: '7' },
    duration: { type: 'string', default: '16' },
    out: { type: 'string' },
    every: { type: 'string', default: '1' },
    'detect-every': { type: 'string', default: '1' },
    threads: { type: 'string', default: '1' },
  },
});
const outDir = values.out ?? mkdtempSync(join(tmpdir(), 'edgeproof-feature-zoo-'));
try {
  const scenario = generateScenario({ seed: Number(values.seed), durationSeconds: Number(values.duration) });
  const builds = await buildFeatureBundles(outDir);
  const results = await evaluateFeatureBundles({
    ort: ort as unknown as OrtLike,
    builds,
    buildDir: outDir,
    video: scenario.video,
    groundTruth: scenario.groundTruth,
    fps: scenario.manifest.fps,
    settings: { processEveryK: Number(values.every), detectionInterval: Number(values['detect-every']), threads: Number(values.threads) },
  });
  const { manifest } = scenario;
  console.log(`scenario ${manifest.name}: ${manifest.width}x${manifest.height} @ ${manifest.fps} fps, ${manifest.frameCount} frames, ${scenario.groundTruth.length} gt boxes`);
  console.log(`detector ${builds.detector.file}: ${builds.detector.sizeBytes} bytes; bundles: ${Object.values(builds.bundles).map((b) => `${b.file} ${b.sizeBytes} B`).join(', ')}`);
  const fmt = (v: number | null, d = 3) => (v === null ? 'n/a' : v.toFixed(d));
  console.table(
    results.map((r) => ({
      bundle: r.bundle,
      MOTA: fmt(r.tracking.mota),
      MOTP: fmt(r.tracking.motp),
      IDF1: fmt(r.tracking.idf1),
      IDSW: r.tracking.idSwitches,
      Frag: r.tracking.fragmentations,
      FP: r.tracking.falsePositives,
      FN: r.tracking.falseNegatives,
      precision: fmt(r.tracking.precision),
      recall: fmt(r.tracking.recall),
      'process p50 ms': fmt(r.processMs.p50, 2),
      'process p90 ms': fmt(r.processMs.p90, 2),
      framesExact: r.framesExact,
    })),
  );
  console.log('process ms: wall time of each awaited process() call in this Node process (onnxruntime-node, CPU EP)');
} finally {
  if (!values.out) rmSync(outDir, { recursive: true, force: true });
}
