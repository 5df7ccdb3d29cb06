/**
 * The feature bundle's own realm: a dedicated module worker (served as /harness/feature-realm.js)
 * that imports the bundle with onnxruntime-web and the LiteRT.js loader, and calls its init(),
 * process() and dispose() when the harness page asks. Nothing of the page is reachable from here:
 * the page keeps the camera, the clock every figure is measured with and the recorder, so a bundle
 * that patches `performance.now`, the harness global or anything else patches only this worker.
 */
import * as ort from 'onnxruntime-web';
import { featureLiteRtLoader } from './feature-litert.ts';
import type { RealmReply, RealmRequest } from './feature-realm-protocol.ts';

interface FeatureLike {
  init(o: unknown): Promise<void>;
  process(f: unknown): Promise<unknown>;
  dispose(): unknown;
}

const describe = (e: unknown) => (e instanceof Error ? `${e.name}: ${e.message}` : String(e));
// kept before the bundle loads: a bundle that replaces postMessage cannot forge the page's answers
// either (it can only answer for itself, as it always could)
const reply = self.postMessage.bind(self) as (r: RealmReply) => void;

/**
 * A module worker has `importScripts` but refuses it, and LiteRT.js loads its wasm glue (a classic
 * script) with it in any worker. This is what importScripts does: fetch synchronously (allowed in
 * workers) and run the text in the global scope.
 */
(self as unknown as { importScripts: (...urls: string[]) => void }).importScripts = (...urls: string[]) => {
  for (const url of urls) {
    const xhr = new XMLHttpRequest();
    xhr.open('GET', url, false);
    xhr.send();
    if (xhr.status !== 200) throw new Error(`importScripts(${url}): HTTP ${xhr.status}`);
    // an Emscripten script in a worker finds its files beside the worker, not beside itself: LiteRT.js
    // hands self.Module to its factory, so it finds them where the script came from
    const scope = self as unknown as { Module?: { locateFile?: (file: string) => string } };
    const base = new URL(url, self.location.href);
    scope.Module ??= { locateFile: (file: string) => new URL(file, base).href };
    // indirect eval: global scope, as a classic script's top level
    (0, eval)(`${xhr.responseText}\n//# sourceURL=${url}`);
  }
};

let feature: FeatureLike | undefined;
let litert: ReturnType<typeof featureLiteRtLoader> | undefined;

async function load(url: string): Promise<FeatureLike> {
  let mod: Partial<FeatureLike>;
  try {
    mod = (await import(/* @vite-ignore */ url)) as Partial<FeatureLike>;
  } catch (e) {
    throw Object.assign(new Error(`the feature bundle does not load as an ES module: ${describe(e)}`), { code: 'invalid_feature' });
  }
  const missing = (['init', 'process', 'dispose'] as const).filter((k) => typeof mod[k] !== 'function');
  if (missing.length) throw Object.assign(new Error(`the feature bundle does not export ${missing.map((m) => `${m}()`).join(', ')}`), { code: 'invalid_feature' });
  return mod as FeatureLike;
}

async function handle(req: RealmRequest): Promise<RealmReply> {
  switch (req.type) {
    case 'load':
      ort.env.wasm.numThreads = req.threads;
      ort.env.wasm.proxy = false;
      ort.env.logLevel = 'error';
      feature = await load(req.bundleUrl);
      litert = featureLiteRtLoader(req.threads);
      return { id: req.id, ok: true, value: null };
    case 'init':
      try {
        await (feature as FeatureLike).init({ modelUrls: req.modelUrls, settings: req.settings, ort, litert: (litert as NonNullable<typeof litert>).load });
      } catch (e) {
        throw Object.assign(new Error(`feature init() threw: ${describe(e)}`), { code: 'invalid_feature' });
      }
      return { id: req.id, ok: true, value: null };
    case 'process':
      try {
        return { id: req.id, ok: true, value: await (feature as FeatureLike).process(req.frame) };
      } catch (e) {
        throw Object.assign(new Error(`feature process() threw on frame ${req.frame.index}: ${describe(e)}`), { code: 'invalid_feature' });
      }
    case 'dispose':
      await feature?.dispose();
      return { id: req.id, ok: true, value: null };
    case 'versions': {
      const lrt = litert?.loaded();
      return {
        id: req.id,
        ok: true,
        value: { runtimeVersion: ort.env.versions.web ?? ort.env.versions.common, threads: ort.env.wasm.numThreads ?? 1, ...(lrt ? { litertVersion: lrt.version } : {}) },
      };
    }
  }
}

self.onmessage = (event: MessageEvent<RealmRequest>) => {
  const req = event.data;
  const fail = (code: 'invalid_feature' | 'failed', message: string) => reply({ id: req.id, ok: false, code, message });
  handle(req).then(
    (answer) => {
      try {
        reply(answer);
      } catch (e) {
        // e.g. a result holding a function: structured clone refuses it
        fail('invalid_feature', `feature ${req.type}() returned a value that cannot leave its worker: ${describe(e)}`);
      }
    },
    (e: unknown) => fail((e as { code?: string }).code === 'invalid_feature' ? 'invalid_feature' : 'failed', e instanceof Error ? e.message : String(e)),
  );
};
reply({ id: 0, ok: true, value: 'ready' });
