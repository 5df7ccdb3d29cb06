import type { Dim, ElementType, ModelSignature, TensorInfo } from '@edgeproof/contracts';
import { InvalidModelError } from './invalid-model.ts';
import { expectWire, memorySource, WIRE, WireFormatError, WireReader, type ByteSource } from './protobuf-wire.ts';

/** TensorProto.DataType codes; newer codes (float8, int4, ...) and complex types map to 'unknown'. */
const ELEMENT_TYPES: Readonly<Record<number, ElementType>> = {
  1: 'float32',
  2: 'uint8',
  3: 'int8',
  4: 'uint16',
  5: 'int16',
  6: 'int32',
  7: 'int64',
  8: 'string',
  9: 'bool',
  10: 'float16',
  11: 'float64',
  12: 'uint32',
  13: 'uint64',
  16: 'bfloat16',
};

/**
 * What a signature may hold. Real models are far below these; a file past one is refused rather
 * than decoded, so a hostile file cannot make the reader allocate in proportion to its size.
 */
export const ONNX_SIGNATURE_LIMITS = {
  /** graph inputs, and graph outputs, each */
  values: 10_000,
  /** dimensions over all inputs and outputs */
  dims: 100_000,
  opsets: 1_000,
  /** one name, dim_param, domain or producer string */
  stringBytes: 64 * 1024,
  /** all decoded strings together */
  textBytes: 16 * 1024 * 1024,
} as const;

// field numbers from onnx.proto
const MODEL = { irVersion: 1, producerName: 2, producerVersion: 3, graph: 7, opsetImport: 8 } as const;
const GRAPH = { node: 1, initializer: 5, input: 11, output: 12, sparseInitializer: 15 } as const;

interface Range {
  start: number;
  end: number;
}

/** Decode an ONNX ModelProto and describe its graph inputs (initializers excluded), outputs and metadata. */
export function parseOnnxSignature(bytes: Uint8Array): ModelSignature {
  return readOnnxSignature(memorySource(bytes));
}

/**
 * The signature read straight from the protobuf wire format: only the model header, the graph's
 * inputs, outputs and initializer names are decoded; node bodies and tensor data are skipped by length.
 */
export function readOnnxSignature(source: ByteSource): ModelSignature {
  try {
    return new SignatureWalker(new WireReader(source)).signature();
  } catch (err) {
    if (err instanceof WireFormatError) throw new InvalidModelError('truncated', `ONNX protobuf is truncated or corrupt: ${err.message}`);
    throw err;
  }
}

/** Every method that takes a Range leaves `pos` at its end. */
class SignatureWalker {
  private dims = 0;
  private textBytes = 0;

  constructor(private readonly r: WireReader) {}

  signature(): ModelSignature {
    const r = this.r;
    let irVersion = 0;
    let producerName = '';
    let producerVersion = '';
    let graph: Range | null = null;
    const opsets: Array<{ domain: string; version: number }> = [];
    while (r.pos < r.size) {
      const at = r.pos;
      const { field, wire } = r.tag();
      if (field === MODEL.irVersion) {
        expectWire(field, wire, WIRE.varint, at);
        irVersion = r.int64();
      } else if (field === MODEL.producerName) producerName = this.string(field, wire, at, r.size);
      else if (field === MODEL.producerVersion) producerVersion = this.string(field, wire, at, r.size);
      else if (field === MODEL.graph) graph = this.span(field, wire, at, r.size);
      else if (field === MODEL.opsetImport) {
        if (opsets.length >= ONNX_SIGNATURE_LIMITS.opsets) throw overLimit(`more than ${ONNX_SIGNATURE_LIMITS.opsets} opset imports`);
        opsets.push(this.opset(this.span(field, wire, at, r.size)));
      } else r.skip(wire, r.size);
    }
    if (irVersion <= 0) {
      throw new InvalidModelError('not_a_model', 'file is not an ONNX model: the protobuf has no ir_version');
    }
    if (!graph) throw new InvalidModelError('no_graph', 'ONNX model has no graph');

    const { inputs: declared, outputs, nodeCount } = this.graphValues(graph);
    const initializers = declared.length > 0 ? this.initializerNames(graph, new Set(declared.map((v) => v.name))) : new Set<string>();
    const inputs = declared.filter((v) => !initializers.has(v.name));
    if (inputs.length === 0) throw new InvalidModelError('no_inputs', 'model declares no inputs');
    return {
      format: 'onnx',
      inputs,
      outputs,
      irVersion,
      opsets,
      producer: producerName === '' && producerVersion === '' ? null : { name: producerName, version: producerVersion },
      nodeCount,
    };
  }

  /** Graph inputs and outputs in file order, and the number of nodes (counted, never decoded). */
  private graphValues(graph: Range): { inputs: TensorInfo[]; outputs: TensorInfo[]; nodeCount: number } {
    const inputs: TensorInfo[] = [];
    const outputs: TensorInfo[] = [];
    let nodeCount = 0;
    this.fields(graph, (field, wire, at) => {
      if (field === GRAPH.node) {
        this.span(field, wire, at, graph.end);
        nodeCount++;
      } else if (field === GRAPH.input || field === GRAPH.output) {
        const list = field === GRAPH.input ? inputs : outputs;
        if (list.length >= ONNX_SIGNATURE_LIMITS.values) {
          throw overLimit(`more than ${ONNX_SIGNATURE_LIMITS.values} graph ${field === GRAPH.input ? 'inputs' : 'outputs'}`);
        }
        list.push(this.valueInfo(this.span(field, wire, at, graph.end)));
      } else return false;
      return true;
    });
    return { inputs, outputs, nodeCount };
  }

  /**
   * Which of `wanted` are initializer names (a second pass over the graph, so that a file with
   * millions of initializers costs time, not memory). A missing name counts as "".
   */
  private initializerNames(graph: Range, wanted: ReadonlySet<string>): Set<string> {
    const found = new Set<string>();
    const note = (name: string | null) => {
      if (name !== null && wanted.has(name)) found.add(name);
    };
    this.fields(graph, (field, wire, at) => {
      if (field === GRAPH.initializer) note(this.tensorName(this.span(field, wire, at, graph.end)));
      else if (field === GRAPH.sparseInitializer) {
        const sparse = this.span(field, wire, at, graph.end);
        const values = this.lastSpan(sparse, 1);
        note(values ? this.tensorName(values) : '');
        this.r.pos = sparse.end;
      } else return false;
      return true;
    });
    return found;
  }

  /** TensorProto.name (field 8), or null when it is too long to be any input's name. */
  private tensorName(tensor: Range): string | null {
    const name = this.lastSpan(tensor, 8);
    if (!name) return '';
    if (name.end - name.start > ONNX_SIGNATURE_LIMITS.stringBytes) return null;
    return this.decode(name);
  }

  private valueInfo(info: Range): TensorInfo {
    let name = '';
    let type: Range | null = null;
    this.fields(info, (field, wire, at) => {
      if (field === 1) name = this.string(field, wire, at, info.end);
      else if (field === 2) type = this.span(field, wire, at, info.end);
      else return false;
      return true;
    });
    const tensor = type ? this.lastSpan(type, 1) : null;
    this.r.pos = info.end;
    if (!tensor) return { name, elementType: 'unknown', shape: null };
    let elemType = 0;
    let shape: Range | null = null;
    this.fields(tensor, (field, wire, at) => {
      if (field === 1) {
        expectWire(field, wire, WIRE.varint, at);
        elemType = this.r.int32();
      } else if (field === 2) shape = this.span(field, wire, at, tensor.end);
      else return false;
      return true;
    });
    const result: TensorInfo = { name, elementType: ELEMENT_TYPES[elemType] ?? 'unknown', shape: shape ? this.shape(shape) : null };
    this.r.pos = info.end;
    return result;
  }

  private shape(shape: Range): Dim[] {
    const dims: Dim[] = [];
    this.fields(shape, (field, wire, at) => {
      if (field !== 1) return false;
      if (++this.dims > ONNX_SIGNATURE_LIMITS.dims) throw overLimit(`more than ${ONNX_SIGNATURE_LIMITS.dims} dimensions over its inputs and outputs`);
      const dim = this.span(field, wire, at, shape.end);
      let value: number | undefined;
      let param = '';
      this.fields(dim, (f, w, dat) => {
        if (f === 1) {
          expectWire(f, w, WIRE.varint, dat);
          value = this.r.int64();
        } else if (f === 2) param = this.string(f, w, dat, dim.end);
        else return false;
        return true;
      });
      // a dim_value anywhere wins over dim_param, as with the generated protobufjs decoder
      dims.push(value !== undefined ? value : param !== '' ? param : null);
      return true;
    });
    return dims;
  }

  private opset(opset: Range): { domain: string; version: number } {
    let domain = '';
    let version = 0;
    this.fields(opset, (field, wire, at) => {
      if (field === 1) domain = this.string(field, wire, at, opset.end);
      else if (field === 2) {
        expectWire(field, wire, WIRE.varint, at);
        version = this.r.int64();
      } else return false;
      return true;
    });
    return { domain: domain === 'ai.onnx' ? '' : domain, version };
  }

  /**
   * Calls `visit` for each field of the message in `range`; a visitor that returns false leaves the
   * field unread and it is skipped. Leaves `pos` at the end of the range.
   */
  private fields(range: Range, visit: (field: number, wire: number, at: number) => boolean): void {
    const r = this.r;
    r.pos = range.start;
    while (r.pos < range.end) {
      const at = r.pos;
      const { field, wire } = r.tag();
      if (!visit(field, wire, at)) r.skip(wire, range.end);
    }
    if (r.pos !== range.end) throw new WireFormatError(`a field runs past the end of its message at byte ${range.end}`);
  }

  /** The last occurrence of the length-delimited field `wanted` inside `range` (protobuf: the last one wins). */
  private lastSpan(range: Range, wanted: number): Range | null {
    let last: Range | null = null;
    this.fields(range, (field, wire, at) => {
      if (field !== wanted) return false;
      last = this.span(field, wire, at, range.end);
      return true;
    });
    return last;
  }

  /** A length-delimited field's bytes; leaves `pos` after them. */
  private span(field: number, wire: number, at: number, limit: number): Range {
    expectWire(field, wire, WIRE.len, at);
    const end = this.r.lengthDelimited(limit);
    const range = { start: this.r.pos, end };
    this.r.pos = end;
    return range;
  }

  private string(field: number, wire: number, at: number, limit: number): string {
    const range = this.span(field, wire, at, limit);
    const n = range.end - range.start;
    if (n > ONNX_SIGNATURE_LIMITS.stringBytes) throw overLimit(`a string of ${n} bytes at byte ${at} (names are limited to ${ONNX_SIGNATURE_LIMITS.stringBytes})`);
    this.textBytes += n;
    if (this.textBytes > ONNX_SIGNATURE_LIMITS.textBytes) throw overLimit(`more than ${ONNX_SIGNATURE_LIMITS.textBytes} bytes of names`);
    return this.decode(range);
  }

  private decode(range: Range): string {
    const r = this.r;
    const back = r.pos;
    r.pos = range.start;
    const text = r.utf8(range.end);
    r.pos = back;
    return text;
  }
}

function overLimit(what: string): InvalidModelError {
  return new InvalidModelError('over_limit', `ONNX model has ${what}; edgeproof does not read models past this limit`);
}
