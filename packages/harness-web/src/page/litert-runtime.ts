/**
 * LiteRT.js (`@litertjs/core`, Google's LiteRT for the web) as a page runtime, for .tflite models.
 * 'wasm' is LiteRT's CPU path: XNNPACK kernels compiled to wasm; 'webgpu' its GPU delegate (only where
 * the browser gives an adapter; harness.ts refuses it otherwise). The wasm files come from the harness
 * server's /litert/ folder (node_modules/@litertjs/core/wasm).
 */
import { loadAndCompile, loadLiteRt, supportsFeature, Tensor, type CompiledModel, type TensorDetails, type TypedArray } from '@litertjs/core';
import type { PackedSet, PackedTensor } from '../input-pack.ts';
import type { HarnessPrepare } from '../protocol.ts';
import { HarnessError, messageOf, type Feeds, type HostTensor, type PageRuntime, type RuntimeSession } from './runtime.ts';

/** set by esbuild from node_modules/@litertjs/core/package.json (bundle.ts) */
declare const __LITERT_VERSION__: string;

/** the only element types LiteRT.js 2.x takes and gives in its JS Tensor API */
const LITERT_TYPES = new Set(['float32', 'int32', 'uint8']);

export const LITERT_WASM_DIR = '/litert/';

export const LITERT_TIMING =
  'performance.now() around each CompiledModel.run inside the page, until every output is in wasm (CPU) memory (webgpu: moved there), output tensors deleted; input tensors are made once per input set; sessionCreateMs is loadAndCompile (the wasm runtime is loaded before, see runtimeDetails.loadMs)';

interface LiteRtFeeds {
  tensors: Tensor[];
}

const detailsOf = (d: TensorDetails) => ({ name: d.name, dtype: d.dtype, shape: Array.from(d.shape) });

export async function litertRuntime(spec: HarnessPrepare): Promise<PageRuntime> {
  const relaxedSimd = await supportsFeature('relaxedSimd');
  const threaded = spec.threads > 1;
  if (threaded && !relaxedSimd) {
    throw new HarnessError('unsupported', `threads=${spec.threads}: LiteRT.js's threaded build needs relaxed SIMD, which this browser lacks`);
  }
  // what loadLiteRt picks from the folder (its load.ts): relaxed SIMD builds, else the compat build
  const wasmFile = relaxedSimd ? (threaded ? 'litert_wasm_threaded_internal.js' : 'litert_wasm_internal.js') : 'litert_wasm_compat_internal.js';
  const loadStart = performance.now();
  try {
    await loadLiteRt(LITERT_WASM_DIR, { threads: threaded });
  } catch (err) {
    throw new HarnessError('failed', `LiteRT.js could not load its wasm runtime (${wasmFile}): ${messageOf(err)}`);
  }
  const loadMs = performance.now() - loadStart;
  const sessionFacts: Record<string, unknown>[] = [];

  return {
    name: 'litert',
    version: __LITERT_VERSION__,
    threads: spec.threads,
    simd: relaxedSimd ? 'relaxed' : 'compat',
    timing: LITERT_TIMING,
    details: () => ({
      accelerator: spec.executionProvider,
      cpuKernels: 'XNNPACK (wasm)',
      wasmFile,
      relaxedSimd,
      loadMs,
      ...(sessionFacts.length === 1 ? sessionFacts[0] : { sessions: sessionFacts }),
    }),
    async createSession(bytes) {
      let model: CompiledModel;
      try {
        model = await loadAndCompile(bytes, { accelerator: spec.executionProvider, cpuOptions: { numThreads: spec.threads } });
      } catch (err) {
        const message = messageOf(err);
        // LiteRT.js 2.x has no int8/int16/float16/... tensors in JS: the model is valid, the runtime cannot feed it
        if (/^(Element type|DType|Typed array) .* is not supported/.test(message)) {
          throw new HarnessError('unsupported', `LiteRT.js ${__LITERT_VERSION__} cannot run this model: ${message} (its JS tensors are float32, int32 and uint8 only)`);
        }
        throw new HarnessError('invalid_model', `LiteRT.js could not load the model: ${message}`);
      }
      const inputs = model.getInputDetails();
      const outputs = model.getOutputDetails();
      sessionFacts.push({
        fullyAccelerated: spec.executionProvider === 'wasm' ? null : model.isFullyAccelerated,
        inputDetails: inputs.map(detailsOf),
        outputDetails: outputs.map(detailsOf),
      });
      return litertSession(model, inputs, outputs);
    },
  };
}

/** Which packed tensor feeds which model input: by name when every name matches, else by position. */
function bind(set: PackedSet, inputs: readonly TensorDetails[]): PackedTensor[] {
  if (inputs.every((d) => set.tensors[d.name] !== undefined)) return inputs.map((d) => set.tensors[d.name] as PackedTensor);
  const given = Object.values(set.tensors);
  if (given.length !== inputs.length) {
    const missing = inputs.filter((d) => set.tensors[d.name] === undefined).map((d) => d.name);
    throw new HarnessError('invalid_input', `no value for model input(s) ${missing.map((n) => `"${n}"`).join(', ')} (the input set has ${Object.keys(set.tensors).join(', ') || 'nothing'})`);
  }
  return given;
}

function toTensor(t: PackedTensor, d: TensorDetails): Tensor {
  const want = Array.from(d.shape);
  if (t.elementType !== d.dtype) {
    throw new HarnessError('invalid_input', `input "${d.name}" is ${d.dtype} [${want.join(',')}] in the model, the input set gives ${t.elementType}`);
  }
  if (!LITERT_TYPES.has(t.elementType) || Array.isArray(t.data)) {
    throw new HarnessError('unsupported', `input "${d.name}": LiteRT.js takes float32, int32 and uint8 tensors, not ${t.elementType}`);
  }
  if (t.dims.length !== want.length || t.dims.some((n, i) => n !== want[i])) {
    throw new HarnessError('invalid_input', `input "${d.name}" has shape [${want.join(',')}] in the compiled model, the input set gives [${t.dims.join(',')}]`);
  }
  return new Tensor(t.data as TypedArray, t.dims);
}

function litertSession(model: CompiledModel, inputs: readonly TensorDetails[], outputs: readonly TensorDetails[]): RuntimeSession {
  const infer = async (feeds: Feeds) => (await model.run((feeds as unknown as LiteRtFeeds).tensors)) as Tensor[];
  const onCpu = async (t: Tensor) => (t.accelerator === 'wasm' ? t : await t.moveTo('wasm'));
  return {
    inputNames: inputs.map((d) => d.name),
    outputNames: outputs.map((d) => d.name),
    feeds(set) {
      const bound = bind(set, inputs);
      const tensors: Tensor[] = [];
      try {
        for (const [i, d] of inputs.entries()) tensors.push(toTensor(bound[i] as PackedTensor, d));
      } catch (err) {
        for (const t of tensors) t.delete();
        throw err;
      }
      return { tensors } as unknown as Feeds;
    },
    async run(feeds) {
      const result = await infer(feeds);
      for (const t of result) (await onCpu(t)).delete();
    },
    async read(feeds, names) {
      const result = await infer(feeds);
      const out: Record<string, HostTensor> = {};
      for (const [i, t] of result.entries()) {
        const d = outputs[i];
        const cpu = await onCpu(t);
        try {
          if (d && (names === undefined || names.includes(d.name))) {
            out[d.name] = { type: cpu.type.dtype, dims: Array.from(cpu.type.layout.dimensions), data: cpu.toTypedArray() };
          }
        } finally {
          cpu.delete();
        }
      }
      return out;
    },
    dropFeeds(feeds) {
      for (const t of (feeds as unknown as LiteRtFeeds).tensors) t.delete();
    },
    async release() {
      model.delete();
    },
  };
}
