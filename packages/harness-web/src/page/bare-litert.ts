/**
 * The bare LiteRT.js page's script (/harness/bare-litert.js): LiteRT.js and nothing of the harness,
 * as `window.litert`, for benchmarks that compare the harness with a plain loop
 * (bench/litert-harness.ts).
 */
import * as litert from '@litertjs/core';
import { LITERT_WASM_DIR } from './litert-runtime.ts';

Object.assign(globalThis, { litert, litertWasmDir: LITERT_WASM_DIR, litertReady: true });
