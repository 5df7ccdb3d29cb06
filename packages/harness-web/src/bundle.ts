import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { build } from 'esbuild';

const PAGE_ENTRY = fileURLToPath(new URL('./page/harness.ts', import.meta.url));
const FEATURE_PAGE_ENTRY = fileURLToPath(new URL('./page/feature.ts', import.meta.url));
const FEATURE_REALM_ENTRY = fileURLToPath(new URL('./page/feature-realm.ts', import.meta.url));
const BARE_LITERT_ENTRY = fileURLToPath(new URL('./page/bare-litert.ts', import.meta.url));
const ENTRIES = { benchmark: PAGE_ENTRY, feature: FEATURE_PAGE_ENTRY, 'feature-realm': FEATURE_REALM_ENTRY, 'bare-litert': BARE_LITERT_ENTRY } as const;

/** onnxruntime-web's dist folder (ort*.mjs and the .wasm files the page loads). */
export function ortDistDir(): string {
  return dirname(createRequire(import.meta.url).resolve('onnxruntime-web'));
}

/** @litertjs/core's folder (package.json, dist/, wasm/). */
function litertPackageDir(): string {
  // the package's exports give only its entry (dist/index.js)
  return dirname(dirname(createRequire(import.meta.url).resolve('@litertjs/core')));
}

/** LiteRT.js's wasm folder: litert_wasm{,_compat,_threaded,_jspi}_internal.{js,wasm}. */
export function litertWasmDir(): string {
  return join(litertPackageDir(), 'wasm');
}

/** The installed @litertjs/core version (the page reports it as runtimeVersion). */
export function litertVersion(): string {
  return (JSON.parse(readFileSync(join(litertPackageDir(), 'package.json'), 'utf8')) as { version: string }).version;
}

/**
 * A page script as one ES module; onnxruntime-web stays external (the page's import map points at
 * /ort/; a worker has no import map, so the server names the file in the worker's script), LiteRT.js's
 * JS is bundled in (its wasm is fetched from /litert/ at run time).
 */
export async function bundleHarnessScript(entry: keyof typeof ENTRIES = 'benchmark'): Promise<string> {
  const result = await build({
    entryPoints: [ENTRIES[entry]],
    bundle: true,
    format: 'esm',
    platform: 'browser',
    target: 'es2022',
    external: ['onnxruntime-web'],
    define: { __LITERT_VERSION__: JSON.stringify(litertVersion()) },
    write: false,
    logLevel: 'silent',
    legalComments: 'none',
  });
  const file = result.outputFiles[0];
  if (file === undefined) throw new Error('esbuild produced no harness script');
  return file.text;
}
