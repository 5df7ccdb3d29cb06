import { createRequire } from 'node:module';
import { dirname } from 'node:path';
import { fileURLToPath } from 'node:url';
import { build } from 'esbuild';

const PAGE_ENTRY = fileURLToPath(new URL('./page/harness.ts', import.meta.url));
const FEATURE_PAGE_ENTRY = fileURLToPath(new URL('./page/feature.ts', import.meta.url));

/** onnxruntime-web's dist folder (ort*.mjs and the .wasm files the page loads). */
export function ortDistDir(): string {
  return dirname(createRequire(import.meta.url).resolve('onnxruntime-web'));
}

/** The page script as one ES module; onnxruntime-web stays external (the page's import map points at /ort/). */
export async function bundleHarnessScript(entry: 'benchmark' | 'feature' = 'benchmark'): Promise<string> {
  const result = await build({
    entryPoints: [entry === 'feature' ? FEATURE_PAGE_ENTRY : PAGE_ENTRY],
    bundle: true,
    format: 'esm',
    platform: 'browser',
    target: 'es2022',
    external: ['onnxruntime-web'],
    write: false,
    logLevel: 'silent',
    legalComments: 'none',
  });
  const file = result.outputFiles[0];
  if (file === undefined) throw new Error('esbuild produced no harness script');
  return file.text;
}
