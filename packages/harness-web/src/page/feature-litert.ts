/**
 * LiteRT.js for feature bundles: the feature harness passes `litert` (this loader) to a bundle's
 * init() beside `ort`, so a bundle that pins a TFLite model runs it with the harness's LiteRT.js
 * (bundles ship no runtime). The wasm runtime loads on the first call only, from the harness server's
 * /litert/ folder; features that never call it pay nothing.
 */
import * as litert from '@litertjs/core';
import { LITERT_WASM_DIR } from './litert-runtime.ts';

declare const __LITERT_VERSION__: string;

/** What a bundle gets from `await init.litert()`: LiteRT.js's API, loaded and ready. */
export interface FeatureLiteRt {
  version: string;
  /** the build loadLiteRt picked (threads > 1: the threaded build) */
  threads: number;
  loadAndCompile: typeof litert.loadAndCompile;
  Tensor: typeof litert.Tensor;
}

export function featureLiteRtLoader(threads: number): { load: () => Promise<FeatureLiteRt>; loaded: () => FeatureLiteRt | undefined } {
  let loading: Promise<FeatureLiteRt> | undefined;
  let ready: FeatureLiteRt | undefined;
  return {
    load() {
      loading ??= litert.loadLiteRt(LITERT_WASM_DIR, { threads: threads > 1 }).then(() => {
        ready = { version: __LITERT_VERSION__, threads, loadAndCompile: litert.loadAndCompile, Tensor: litert.Tensor };
        return ready;
      });
      return loading;
    },
    loaded: () => ready,
  };
}
