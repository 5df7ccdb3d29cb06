import type { Dim, ElementType, ModelSignature, TensorInfo, TfliteFacts, TfliteQuantization, TfliteSignatureDef, TfliteTensorFacts } from '@edgeproof/contracts';
import {
  CheckedByteBuffer,
  FlatbufferBoundsError,
  FlatbufferFormatError,
  FlatbufferStringLimitError,
} from './flatbuffer-bytes.ts';
import { Buffer as TfliteBuffer } from './generated/tflite/buffer.ts';
import { BuiltinOperator } from './generated/tflite/builtin-operator.ts';
import { Model } from './generated/tflite/model.ts';
import { Operator } from './generated/tflite/operator.ts';
import type { SubGraph } from './generated/tflite/sub-graph.ts';
import type { Tensor } from './generated/tflite/tensor.ts';
import { TensorType } from './generated/tflite/tensor-type.ts';
import { InvalidModelError } from './invalid-model.ts';
import { memorySource, type ByteSource } from './protobuf-wire.ts';

/** TFLite TensorType -> ElementType; complex, resource, variant, 4-bit and float8 types are 'unknown'. */
const ELEMENT_TYPES: Readonly<Partial<Record<TensorType, ElementType>>> = {
  [TensorType.FLOAT32]: 'float32',
  [TensorType.FLOAT16]: 'float16',
  [TensorType.INT32]: 'int32',
  [TensorType.UINT8]: 'uint8',
  [TensorType.INT64]: 'int64',
  [TensorType.STRING]: 'string',
  [TensorType.BOOL]: 'bool',
  [TensorType.INT16]: 'int16',
  [TensorType.INT8]: 'int8',
  [TensorType.FLOAT64]: 'float64',
  [TensorType.UINT64]: 'uint64',
  [TensorType.UINT32]: 'uint32',
  [TensorType.UINT16]: 'uint16',
  [TensorType.BFLOAT16]: 'bfloat16',
};

/**
 * What a TFLite signature may hold. Real models are far below these; a file past one is refused
 * rather than read, so a hostile file cannot make the reader allocate in proportion to its size.
 */
export const TFLITE_SIGNATURE_LIMITS = {
  /** inputs, and outputs, of subgraph 0 and of each SignatureDef */
  values: 10_000,
  /** dimensions over all inputs and outputs */
  dims: 100_000,
  /** scale values over all inputs and outputs */
  quantizationValues: 100_000,
  subgraphs: 10_000,
  /** operators over all subgraphs */
  operators: 1_000_000,
  operatorCodes: 100_000,
  /** buffers (constant tensors' data), each checked to lie within the file */
  buffers: 1_000_000,
  signatureDefs: 1_000,
  /** inputs and outputs over all SignatureDefs */
  signatureTensors: 100_000,
  metadata: 1_000,
  /** one name, key or description */
  stringBytes: 64 * 1024,
  /** all decoded strings together */
  textBytes: 16 * 1024 * 1024,
} as const;

/** Model.version of every TFL3 file; the TFLite runtime refuses any other */
const TFLITE_SCHEMA_VERSION = 3;
const HEADER_BYTES = 8;
const MIN_RUNTIME_VERSION = 'min_runtime_version';
const MIN_RUNTIME_VERSION_MAX_BYTES = 64;

/** Read a TFLite model's signature from bytes in memory. */
export function parseTfliteSignature(bytes: Uint8Array): ModelSignature {
  return readTfliteSignature(memorySource(bytes));
}

/**
 * Read a TFLite model's signature from any ByteSource; only the tables the signature needs are
 * visited, in cached pages (weights are never read). Throws InvalidModelError for anything that
 * is not a well-formed TFLite model.
 */
export function readTfliteSignature(source: ByteSource): ModelSignature {
  try {
    return new TfliteReader(new CheckedByteBuffer(source, TFLITE_SIGNATURE_LIMITS.stringBytes)).signature();
  } catch (err) {
    if (err instanceof InvalidModelError) throw err;
    if (err instanceof FlatbufferStringLimitError) throw overLimit(err.message);
    if (err instanceof FlatbufferFormatError) throw notTflite(err.message);
    // FlatbufferBoundsError, and any RangeError the runtime raises on a corrupt value
    if (err instanceof RangeError) throw new InvalidModelError('truncated', `TFLite flatbuffer is truncated or corrupt: ${err.message}`);
    throw err;
  }
}

function notTflite(reason: string): InvalidModelError {
  return new InvalidModelError('not_a_model', `file is not a valid TFLite model: ${reason}`);
}

function overLimit(what: string): InvalidModelError {
  return new InvalidModelError('over_limit', `TFLite model is over a limit of this reader: ${what}`);
}

function checkCount(count: number, limit: number, what: string): number {
  if (count > limit) throw overLimit(`${count} ${what} (at most ${limit})`);
  return count;
}

class TfliteReader {
  private dims = 0;
  private quantizationValues = 0;
  private textBytes = 0;

  constructor(private readonly bb: CheckedByteBuffer) {}

  signature(): ModelSignature {
    const model = this.root();
    const schemaVersion = model.version();
    if (schemaVersion !== TFLITE_SCHEMA_VERSION) {
      throw notTflite(`schema version ${schemaVersion}, but TFL3 files are version ${TFLITE_SCHEMA_VERSION}`);
    }
    const subgraphCount = checkCount(model.subgraphsLength(), TFLITE_SIGNATURE_LIMITS.subgraphs, 'subgraphs');
    if (subgraphCount === 0) throw new InvalidModelError('no_graph', 'TFLite model has no subgraphs');
    const subgraphs = Array.from({ length: subgraphCount }, (_, i) => model.subgraphs(i) as SubGraph);

    this.checkBuffers(model);
    const { nodeCount, operatorCount, builtinOps, customOps } = this.operators(model, subgraphs);
    const main = subgraphs[0] as SubGraph;
    const inputs = this.values(main, 'inputs');
    const outputs = this.values(main, 'outputs');
    if (inputs.length === 0) throw new InvalidModelError('no_inputs', 'model declares no inputs (TFLite subgraph 0 has none)');
    const { metadata, minRuntimeVersion } = this.metadata(model);
    const tflite: TfliteFacts = {
      schemaVersion,
      description: this.text(model.description()),
      minRuntimeVersion,
      metadata,
      subgraphCount,
      operatorCount,
      builtinOps,
      customOps,
      signatureDefs: this.signatureDefs(model, subgraphs),
      inputs: inputs.map((v) => v.facts),
      outputs: outputs.map((v) => v.facts),
    };
    return {
      format: 'tflite',
      inputs: inputs.map((v) => v.info),
      outputs: outputs.map((v) => v.info),
      irVersion: null,
      opsets: [],
      producer: null,
      nodeCount,
      tflite,
    };
  }

  /** The root Model table, after checking the header: root offset (uint32) then the identifier "TFL3". */
  private root(): Model {
    const bb = this.bb;
    if (bb.size < HEADER_BYTES) {
      throw new InvalidModelError('truncated', `TFLite file is ${bb.size} bytes, shorter than a FlatBuffer header (${HEADER_BYTES})`);
    }
    if (!Model.bufferHasIdentifier(bb)) throw notTflite('the FlatBuffer identifier at bytes 4..8 is not "TFL3"');
    const root = bb.readInt32(0) >>> 0;
    if (root < HEADER_BYTES || root + 4 > bb.size) {
      throw new FlatbufferBoundsError(`the root table offset ${root} points outside the file (${bb.size} bytes)`);
    }
    return Model.getRootAsModel(bb);
  }

  private text(value: string | null): string | null {
    if (value === null) return null;
    this.textBytes += value.length;
    if (this.textBytes > TFLITE_SIGNATURE_LIMITS.textBytes) throw overLimit(`more than ${TFLITE_SIGNATURE_LIMITS.textBytes} bytes of strings`);
    return value;
  }

  /**
   * Every buffer (constant data) must lie within the file. Writers put buffers first, which puts
   * them at the end of the file (FlatBuffers are built back to front) or after it (schema 3c):
   * this is what catches a file cut anywhere, though the signature itself never reads weights.
   */
  private checkBuffers(model: Model): void {
    const count = checkCount(model.buffersLength(), TFLITE_SIGNATURE_LIMITS.buffers, 'buffers');
    const buffer = new TfliteBuffer();
    for (let i = 0; i < count; i++) {
      if (model.buffers(i, buffer) === null) continue;
      buffer.dataLength();
      const offset = buffer.offset();
      // offset 0 or 1 means "no external data" (1 is how the converter marks an empty external buffer)
      if (offset > 1n) {
        const end = offset + buffer.size();
        if (end > BigInt(this.bb.size)) {
          throw new FlatbufferBoundsError(`buffer ${i} (bytes ${offset}..${end}) lies outside the file (${this.bb.size} bytes)`);
        }
      }
    }
  }

  /** Operator set and counts; every operator's opcode_index must name an operator code. */
  private operators(model: Model, subgraphs: SubGraph[]) {
    const codeCount = checkCount(model.operatorCodesLength(), TFLITE_SIGNATURE_LIMITS.operatorCodes, 'operator codes');
    const used = new Uint8Array(codeCount);
    const op = new Operator();
    let operatorCount = 0;
    let nodeCount = 0;
    subgraphs.forEach((subgraph, s) => {
      const count = subgraph.operatorsLength();
      operatorCount = checkCount(operatorCount + count, TFLITE_SIGNATURE_LIMITS.operators, 'operators');
      if (s === 0) nodeCount = count;
      for (let i = 0; i < count; i++) {
        const index = (subgraph.operators(i, op) as Operator).opcodeIndex();
        if (index >= codeCount) throw notTflite(`operator ${i} of subgraph ${s} uses operator code ${index}, but the model has ${codeCount}`);
        used[index] = 1;
      }
    });
    const builtin = new Set<string>();
    const custom = new Set<string>();
    for (let i = 0; i < codeCount; i++) {
      if (!used[i]) continue;
      const code = model.operatorCodes(i);
      if (code === null) continue;
      // schema 3a: builtin_code replaced deprecated_builtin_code (an int8); writers fill both, readers take the larger
      const builtinCode = Math.max(code.deprecatedBuiltinCode(), code.builtinCode());
      if (builtinCode === BuiltinOperator.CUSTOM) {
        const name = this.text(code.customCode());
        if (name === null || name === '') throw notTflite(`operator code ${i} is CUSTOM but has no custom_code`);
        custom.add(name);
      } else {
        builtin.add(BuiltinOperator[builtinCode] ?? `BUILTIN_${builtinCode}`);
      }
    }
    return { nodeCount, operatorCount, builtinOps: [...builtin].sort(), customOps: [...custom].sort() };
  }

  private tensor(subgraph: SubGraph, index: number, what: string): Tensor {
    const count = subgraph.tensorsLength();
    if (!(index >= 0 && index < count)) throw notTflite(`${what} is tensor ${index}, but the subgraph has ${count} tensors`);
    return subgraph.tensors(index) as Tensor;
  }

  private values(subgraph: SubGraph, which: 'inputs' | 'outputs'): Array<{ info: TensorInfo; facts: TfliteTensorFacts }> {
    const count = checkCount(subgraph[`${which}Length`](), TFLITE_SIGNATURE_LIMITS.values, `subgraph 0 ${which}`);
    const out: Array<{ info: TensorInfo; facts: TfliteTensorFacts }> = [];
    for (let i = 0; i < count; i++) {
      const tensorIndex = subgraph[which](i) as number;
      const tensor = this.tensor(subgraph, tensorIndex, `subgraph 0 ${which.slice(0, -1)} ${i}`);
      const type = tensor.type();
      const name = this.text(tensor.name()) ?? `tensor_${tensorIndex}`;
      out.push({
        info: { name, elementType: ELEMENT_TYPES[type] ?? 'unknown', shape: this.shape(tensor, name) },
        facts: { name, tensorIndex, tensorType: TensorType[type] ?? `TYPE_${type}`, quantization: this.quantization(tensor, name) },
      });
    }
    return out;
  }

  /**
   * shape_signature when present (-1 marks a dynamic dim, reported as null like an unnamed ONNX
   * dim), else shape. Both are read: the signature must have the shape's rank and agree with it
   * on every fixed dim (the runtime allocates by `shape`).
   */
  private shape(tensor: Tensor, name: string): Dim[] {
    const rank = tensor.shapeLength();
    const signatureRank = tensor.shapeSignatureLength();
    this.dims += rank + signatureRank;
    if (this.dims > TFLITE_SIGNATURE_LIMITS.dims) throw overLimit(`more than ${TFLITE_SIGNATURE_LIMITS.dims} dimensions`);
    if (signatureRank > 0 && signatureRank !== rank) {
      throw notTflite(`tensor "${name}" has a shape of rank ${rank} but a shape_signature of rank ${signatureRank}`);
    }
    const dims: Dim[] = [];
    for (let d = 0; d < rank; d++) {
      const fixed = tensor.shape(d) as number;
      const value = signatureRank > 0 ? (tensor.shapeSignature(d) as number) : fixed;
      if (value < -1 || fixed < -1) throw notTflite(`tensor "${name}" has dimension ${d} of size ${Math.min(value, fixed)}`);
      if (value !== -1 && fixed !== -1 && value !== fixed) {
        throw notTflite(`tensor "${name}" has dimension ${d} of size ${fixed} in its shape but ${value} in its shape_signature`);
      }
      dims.push(value === -1 ? null : value);
    }
    return dims;
  }

  private quantization(tensor: Tensor, name: string): TfliteQuantization | null {
    const q = tensor.quantization();
    if (q === null) return null;
    const scales = q.scaleLength();
    const zeroPoints = q.zeroPointLength();
    if (scales === 0 && zeroPoints === 0) return null;
    this.quantizationValues += scales + zeroPoints;
    if (this.quantizationValues > TFLITE_SIGNATURE_LIMITS.quantizationValues) {
      throw overLimit(`more than ${TFLITE_SIGNATURE_LIMITS.quantizationValues} quantization values`);
    }
    const scale: number[] = [];
    for (let i = 0; i < scales; i++) {
      const value = q.scale(i) as number;
      if (!Number.isFinite(value)) throw notTflite(`tensor "${name}" has quantization scale ${value}`);
      scale.push(value);
    }
    const zeroPoint: number[] = [];
    for (let i = 0; i < zeroPoints; i++) {
      const value = q.zeroPoint(i) as bigint;
      if (value > BigInt(Number.MAX_SAFE_INTEGER) || value < BigInt(Number.MIN_SAFE_INTEGER)) {
        throw notTflite(`tensor "${name}" has quantization zero point ${value}`);
      }
      zeroPoint.push(Number(value));
    }
    const quantizedDimension = q.quantizedDimension();
    if (quantizedDimension < 0) throw notTflite(`tensor "${name}" has quantized_dimension ${quantizedDimension}`);
    return { scale, zeroPoint, quantizedDimension };
  }

  private signatureDefs(model: Model, subgraphs: SubGraph[]): TfliteSignatureDef[] {
    const count = checkCount(model.signatureDefsLength(), TFLITE_SIGNATURE_LIMITS.signatureDefs, 'SignatureDefs');
    const defs: TfliteSignatureDef[] = [];
    let tensorMaps = 0;
    for (let i = 0; i < count; i++) {
      const def = model.signatureDefs(i);
      if (def === null) continue;
      const key = this.text(def.signatureKey()) ?? '';
      const subgraphIndex = def.subgraphIndex();
      const subgraph = subgraphs[subgraphIndex];
      if (subgraph === undefined) throw notTflite(`SignatureDef "${key}" names subgraph ${subgraphIndex}, but the model has ${subgraphs.length}`);
      const tensors = (which: 'inputs' | 'outputs') => {
        const n = checkCount(def[`${which}Length`](), TFLITE_SIGNATURE_LIMITS.values, `${which} of SignatureDef "${key}"`);
        tensorMaps = checkCount(tensorMaps + n, TFLITE_SIGNATURE_LIMITS.signatureTensors, 'SignatureDef inputs and outputs');
        return Array.from({ length: n }, (_, j) => {
          const map = def[which](j);
          const name = this.text(map?.name() ?? null) ?? '';
          const tensorIndex = map?.tensorIndex() ?? 0;
          const tensor = this.tensor(subgraph, tensorIndex, `${which.slice(0, -1)} "${name}" of SignatureDef "${key}"`);
          return { name, tensor: this.text(tensor.name()) ?? `tensor_${tensorIndex}` };
        });
      };
      defs.push({ key, subgraphIndex, inputs: tensors('inputs'), outputs: tensors('outputs') });
    }
    return defs;
  }

  /** Metadata entry names, and the value of "min_runtime_version" (a short NUL-padded string in a buffer). */
  private metadata(model: Model): { metadata: string[]; minRuntimeVersion: string | null } {
    const count = checkCount(model.metadataLength(), TFLITE_SIGNATURE_LIMITS.metadata, 'metadata entries');
    const metadata: string[] = [];
    let minRuntimeVersion: string | null = null;
    for (let i = 0; i < count; i++) {
      const entry = model.metadata(i);
      const name = this.text(entry?.name() ?? null);
      if (entry === null || name === null) continue;
      metadata.push(name);
      if (name === MIN_RUNTIME_VERSION && minRuntimeVersion === null) minRuntimeVersion = this.bufferText(model, entry.buffer());
    }
    return { metadata, minRuntimeVersion };
  }

  private bufferText(model: Model, index: number): string | null {
    const buffers = model.buffersLength();
    if (index >= buffers) throw notTflite(`metadata "${MIN_RUNTIME_VERSION}" names buffer ${index}, but the model has ${buffers}`);
    const buffer = model.buffers(index);
    if (buffer === null) return null;
    let bytes: Uint8Array;
    const inline = buffer.dataLength();
    if (inline > 0) {
      bytes = Uint8Array.from({ length: Math.min(inline, MIN_RUNTIME_VERSION_MAX_BYTES) }, (_, i) => buffer.data(i) as number);
    } else {
      // schema 3c: large buffers live after the flatbuffer, at an absolute offset in the file
      const offset = Number(buffer.offset());
      const size = Math.min(Number(buffer.size()), MIN_RUNTIME_VERSION_MAX_BYTES);
      if (offset <= 1 || size === 0) return null;
      bytes = this.bb.slice(offset, size, `buffer ${index}`);
    }
    const end = bytes.indexOf(0);
    const text = new TextDecoder('utf-8', { fatal: false }).decode(end === -1 ? bytes : bytes.subarray(0, end));
    return text === '' ? null : text;
  }
}
