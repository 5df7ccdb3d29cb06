/**
 * onnxruntime-web as a page runtime. Imported dynamically (the page's import map resolves
 * 'onnxruntime-web' to /ort/...), so a LiteRT.js job never loads onnxruntime-web.
 */
import type * as Ort from 'onnxruntime-web';
import type { PackedSet } from '../input-pack.ts';
import type { HarnessPrepare } from '../protocol.ts';
import { HarnessError, messageOf, type Feeds, type HostTensor, type PageRuntime, type RuntimeSession } from './runtime.ts';

type OrtFeeds = Record<string, Ort.Tensor>;

export const ORT_TIMING =
  'performance.now() around each session.run inside the page (outputs land in JS memory); sessionCreateMs is InferenceSession.create and includes starting the wasm runtime';

export async function ortRuntime(spec: HarnessPrepare): Promise<PageRuntime> {
  const ort = await import('onnxruntime-web');
  // the wasm backend reads these once, at its first session: one job per page load
  ort.env.wasm.numThreads = spec.threads;
  ort.env.wasm.simd = spec.simd;
  ort.env.wasm.proxy = false;
  ort.env.logLevel = 'error';

  const toFeeds = (set: PackedSet, inputNames: readonly string[]): OrtFeeds => {
    const feeds: OrtFeeds = {};
    for (const name of inputNames) {
      const t = set.tensors[name];
      if (t === undefined) throw new HarnessError('invalid_input', `no value for model input "${name}"`);
      feeds[name] = new ort.Tensor(t.elementType as Ort.Tensor.Type, t.data as Ort.Tensor.DataType, t.dims);
    }
    return feeds;
  };

  const wrap = (session: Ort.InferenceSession): RuntimeSession => ({
    inputNames: session.inputNames,
    outputNames: session.outputNames,
    feeds: (set) => toFeeds(set, session.inputNames) as unknown as Feeds,
    async run(feeds) {
      await session.run(feeds as unknown as OrtFeeds);
    },
    async read(feeds, outputs) {
      const result = outputs ? await session.run(feeds as unknown as OrtFeeds, [...outputs]) : await session.run(feeds as unknown as OrtFeeds);
      const out: Record<string, HostTensor> = {};
      for (const name of outputs ?? session.outputNames) {
        const v = result[name];
        if (v instanceof ort.Tensor) out[name] = { type: v.type, dims: [...v.dims], data: v.data as ArrayBufferView | string[] };
      }
      return out;
    },
    dropFeeds: () => {},
    release: () => session.release(),
  });

  const runtime: PageRuntime = {
    name: 'onnxruntime-web',
    version: ort.env.versions.web ?? ort.env.versions.common,
    get threads() {
      return ort.env.wasm.numThreads ?? spec.threads;
    },
    get simd() {
      return String(ort.env.wasm.simd);
    },
    timing: ORT_TIMING,
    details: () => ({ graphOptimizationLevel: 'all', executionMode: 'sequential' }),
    async createSession(model) {
      try {
        // the measured session: like the host's, every graph optimization, sequential
        const session = await ort.InferenceSession.create(model, {
          executionProviders: [spec.executionProvider],
          graphOptimizationLevel: 'all',
          executionMode: 'sequential',
        });
        return wrap(session);
      } catch (err) {
        throw new HarnessError('invalid_model', `onnxruntime-web could not load the model: ${messageOf(err)}`);
      }
    },
  };
  return runtime;
}

/** A one-node ONNX model (Identity, float32 [1]): creating a session of it starts the wasm backend. */
const WARM_MODEL_BASE64 = 'CAgSCWVkZ2Vwcm9vZjo6ChAKAXgSAXkiCElkZW50aXR5EgR3YXJtWg8KAXgSCgoICAESBAoCCAFiDwoBeRIKCggIARIECgIIAUIECgAQDQ==';

/** onnxruntime-web with its wasm backend started (threads, SIMD flavour, execution provider set) and no session of the job's. */
export async function startedOrtRuntime(spec: HarnessPrepare): Promise<PageRuntime> {
  const runtime = await ortRuntime(spec);
  const bytes = Uint8Array.from(atob(WARM_MODEL_BASE64), (c) => c.charCodeAt(0));
  const session = await runtime.createSession(bytes);
  await session.release();
  return runtime;
}
