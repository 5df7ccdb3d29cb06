import { createHash } from 'node:crypto';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { build } from 'esbuild';
import { DETECTOR_MODEL_KEY } from './bundle/feature.ts';
import { buildItemDetector, type DetectorOptions } from './detector.ts';

const HERE = dirname(fileURLToPath(import.meta.url));
/** esbuild names source files in comments relative to this, so output bytes do not depend on the checkout path */
const REPO_ROOT = resolve(HERE, '../../..');

export const FEATURE_BUILDS_FORMAT = 'edgeproof-feature-builds/v1';
export const FEATURE_BUNDLES = {
  reference: { entry: 'bundle/reference.ts', file: 'reference.js', description: 'item detector + IoU tracker (Kuhn-Munkres, constant velocity)' },
  'detection-only': { entry: 'bundle/detection-only.ts', file: 'detection-only.js', description: 'item detector only: a new id for every detection' },
} as const;
export type FeatureBundleName = keyof typeof FEATURE_BUNDLES;
export const DETECTOR_FILE = 'item-detector.onnx';

export interface BuiltFile {
  file: string;
  path: string;
  sha256: string;
  sizeBytes: number;
}

export interface FeatureBuildManifest {
  format: typeof FEATURE_BUILDS_FORMAT;
  detector: BuiltFile & { labels: string[] };
  bundles: Record<FeatureBundleName, BuiltFile & { description: string; models: Record<string, string> }>;
}

function describe(path: string, file: string): BuiltFile {
  const bytes = readFileSync(path);
  return { file, path, sha256: createHash('sha256').update(bytes).digest('hex'), sizeBytes: bytes.length };
}

/**
 * Writes the detector model and both feature bundles (standalone ES modules: no imports, loadable by a
 * browser or by Node's `import()`) into `outDir`, plus `feature-builds.json` describing them.
 */
export async function buildFeatureBundles(outDir: string, detectorOptions: DetectorOptions = {}): Promise<FeatureBuildManifest> {
  mkdirSync(outDir, { recursive: true });
  const detector = buildItemDetector(detectorOptions);
  const detectorPath = join(outDir, DETECTOR_FILE);
  writeFileSync(detectorPath, detector.bytes);
  const names = Object.keys(FEATURE_BUNDLES) as FeatureBundleName[];
  const result = await build({
    entryPoints: Object.fromEntries(names.map((n) => [FEATURE_BUNDLES[n].file.replace(/\.js$/, ''), join(HERE, FEATURE_BUNDLES[n].entry)])),
    outdir: outDir,
    bundle: true,
    format: 'esm',
    platform: 'browser',
    target: 'es2020',
    absWorkingDir: REPO_ROOT,
    legalComments: 'none',
    logLevel: 'silent',
    write: true,
  });
  if (result.errors.length > 0) throw new Error(`esbuild: ${result.errors.map((e) => e.text).join('; ')}`);
  const entry = (n: FeatureBundleName) => ({
    ...describe(join(outDir, FEATURE_BUNDLES[n].file), FEATURE_BUNDLES[n].file),
    description: FEATURE_BUNDLES[n].description,
    models: { [DETECTOR_MODEL_KEY]: DETECTOR_FILE },
  });
  const bundles: FeatureBuildManifest['bundles'] = { reference: entry('reference'), 'detection-only': entry('detection-only') };
  const manifest: FeatureBuildManifest = {
    format: FEATURE_BUILDS_FORMAT,
    detector: { ...describe(detectorPath, DETECTOR_FILE), labels: detector.labels },
    bundles,
  };
  const portable = {
    ...manifest,
    detector: { ...manifest.detector, path: undefined },
    bundles: Object.fromEntries(Object.entries(bundles).map(([n, b]) => [n, { ...b, path: undefined }])),
  };
  writeFileSync(join(outDir, 'feature-builds.json'), `${JSON.stringify(portable, null, 2)}\n`);
  return manifest;
}
