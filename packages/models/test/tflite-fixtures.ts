import * as flatbuffers from 'flatbuffers';
import { expect } from 'vitest';
import { ModelSignature } from '@edgeproof/contracts';
import { encodeTflite, InvalidModelError, parseTfliteSignature, type TfliteModelSpec } from '../src/index.ts';
import { Buffer as TfliteBuffer, Model, Operator, OperatorCode, SubGraph, Tensor } from '../src/generated/tflite.ts';

/** x [?,4] -> FULLY_CONNECTED (w [3,4], b [3], RELU) -> h [?,3] -> SOFTMAX -> p [?,3]; SignatureDef "serving_default". */
export function smallSpec(): TfliteModelSpec {
  const f32 = (values: number[]) => new Uint8Array(Float32Array.from(values).buffer);
  return {
    description: 'edgeproof test model',
    subgraphs: [
      {
        tensors: [
          { name: 'x', type: 'FLOAT32', shape: [1, 4], shapeSignature: [-1, 4] },
          { name: 'w', type: 'FLOAT32', shape: [3, 4], data: f32([1, 0, 0, 0, 0, 1, 0, 0, 0, 0, 1, 1]) },
          { name: 'b', type: 'FLOAT32', shape: [3], data: f32([0.5, -0.5, 0]) },
          { name: 'h', type: 'FLOAT32', shape: [1, 3], shapeSignature: [-1, 3] },
          { name: 'p', type: 'FLOAT32', shape: [1, 3], shapeSignature: [-1, 3] },
        ],
        inputs: [0],
        outputs: [4],
        operators: [
          { op: 'FULLY_CONNECTED', inputs: [0, 1, 2], outputs: [3], options: { kind: 'FullyConnectedOptions', fusedActivation: 'RELU' } },
          { op: 'SOFTMAX', inputs: [3], outputs: [4], options: { kind: 'SoftmaxOptions', beta: 1 } },
        ],
      },
    ],
    signatureDefs: [{ key: 'serving_default', inputs: { features: 0 }, outputs: { scores: 4 } }],
  };
}

export const small = (): Uint8Array => encodeTflite(smallSpec());

/** Positions in a valid file, found with the stock (unchecked) runtime, for writing corruptions at. */
export class Layout {
  readonly bb: flatbuffers.ByteBuffer;
  readonly model: Model;

  constructor(readonly bytes: Uint8Array) {
    this.bb = new flatbuffers.ByteBuffer(bytes);
    this.model = Model.getRootAsModel(this.bb);
  }

  /** where the field with this vtable offset is stored in the table at `table` */
  field(table: number, vtableOffset: number): number {
    const at = this.bb.__offset(table, vtableOffset);
    if (at === 0) throw new Error(`test layout: field ${vtableOffset} of the table at ${table} is absent`);
    return table + at;
  }

  /** the start (length word) of the vector or string the uoffset field points to */
  target(table: number, vtableOffset: number): number {
    const field = this.field(table, vtableOffset);
    return field + this.bb.readUint32(field);
  }

  subgraph(i: number): SubGraph {
    return this.model.subgraphs(i) as SubGraph;
  }
}

/** vtable offsets of the fields the corruptions target (schema.fbs field order: 4 + 2 * index) */
export const FIELD = {
  model: { version: 4, operatorCodes: 6, subgraphs: 8, description: 10, buffers: 12 },
  subgraph: { tensors: 4, inputs: 6, outputs: 8, operators: 10, name: 12 },
  tensor: { shape: 4, type: 6, buffer: 8, name: 10, quantization: 12 },
  operator: { opcodeIndex: 4 },
} as const;

export function patched(bytes: Uint8Array, write: (view: DataView) => void): Uint8Array {
  const copy = Uint8Array.from(bytes);
  write(new DataView(copy.buffer));
  return copy;
}

/** Parses, and asserts it fails with InvalidModelError (not a RangeError, TypeError, ...) in well under a second. */
export function rejection(bytes: Uint8Array): InvalidModelError {
  const started = performance.now();
  let caught: unknown = null;
  try {
    parseTfliteSignature(bytes);
  } catch (err) {
    caught = err;
  }
  expect(caught, 'expected InvalidModelError').toBeInstanceOf(InvalidModelError);
  expect(performance.now() - started).toBeLessThan(1000);
  return caught as InvalidModelError;
}

/** Either a signature the contract accepts, or InvalidModelError; anything else thrown is a bug. */
export function parsesOrRejects(bytes: Uint8Array): 'parsed' | InvalidModelError {
  try {
    ModelSignature.parse(parseTfliteSignature(bytes));
    return 'parsed';
  } catch (err) {
    if (err instanceof InvalidModelError) return err;
    throw err;
  }
}

/** A TFL3 model written with the generated builder directly, for shapes encodeTflite refuses to write. */
export function rawModel(opts: { subgraphs: number; inputs?: number[]; version?: number }): Uint8Array {
  const b = new flatbuffers.Builder(256);
  const subgraphs = Array.from({ length: opts.subgraphs }, () => {
    const tensors = SubGraph.createTensorsVector(b, []);
    const inputs = SubGraph.createInputsVector(b, opts.inputs ?? []);
    const outputs = SubGraph.createOutputsVector(b, []);
    const operators = SubGraph.createOperatorsVector(b, []);
    return SubGraph.createSubGraph(b, tensors, inputs, outputs, operators, 0, 0);
  });
  const vector = Model.createSubgraphsVector(b, subgraphs);
  const buffers = Model.createBuffersVector(b, []);
  Model.startModel(b);
  Model.addVersion(b, opts.version ?? 3);
  Model.addSubgraphs(b, vector);
  Model.addBuffers(b, buffers);
  Model.finishModelBuffer(b, Model.endModel(b));
  return b.asUint8Array().slice();
}

/**
 * A valid small model whose buffers or subgraph-0 operators vector repeats one entry `count`
 * times: a few bytes per entry, so a cap, not the file size, must bound the work.
 */
export function repeatedEntries(which: 'buffers' | 'operators', count: number): Uint8Array {
  const b = new flatbuffers.Builder(count * 4 + 1024);
  const buffer = TfliteBuffer.createBuffer(b, 0, 0n, 0n);
  const op = Operator.createOperator(b, 0, Operator.createInputsVector(b, [0]), Operator.createOutputsVector(b, [0]), 0, 0, 0, 0, 0, 0, 0n, 0n, 0, 0, 0);
  const name = b.createString('x');
  const shape = Tensor.createShapeVector(b, [1]);
  Tensor.startTensor(b);
  Tensor.addShape(b, shape);
  Tensor.addName(b, name);
  const tensor = Tensor.endTensor(b);
  const repeat = (offset: number) => Array.from({ length: count }, () => offset);
  const subgraph = SubGraph.createSubGraph(
    b,
    SubGraph.createTensorsVector(b, [tensor]),
    SubGraph.createInputsVector(b, [0]),
    SubGraph.createOutputsVector(b, [0]),
    SubGraph.createOperatorsVector(b, which === 'operators' ? repeat(op) : [op]),
    0,
    0,
  );
  const code = OperatorCode.createOperatorCode(b, 0, 0, 1, 0);
  const model = Model.createModel(
    b,
    3,
    Model.createOperatorCodesVector(b, [code]),
    Model.createSubgraphsVector(b, [subgraph]),
    0,
    Model.createBuffersVector(b, which === 'buffers' ? repeat(buffer) : [buffer]),
    0,
    0,
    0,
    0,
    0,
  );
  Model.finishModelBuffer(b, model);
  return b.asUint8Array().slice();
}
