import { DataType, boolTensor, encodeModel, floatTensor, int64Tensor, node, valueInfo } from './onnx-build.ts';

/**
 * A valid, tiny ONNX model whose inference practically never finishes: a Loop with trip count
 * 2^63 - 1 whose body adds 1 to a one-element tensor. At ~1 us per iteration a run would take
 * ~290,000 years. Used to exercise job timeouts / cancellation.
 *
 * input `input` float32 [1] -> output `output` float32 [1] (= input + tripCount, saturating in float32)
 */

export const HANG_INPUT = 'input';
export const HANG_OUTPUT = 'output';
export const HANG_TRIP_COUNT = 0x7fff_ffff_ffff_ffffn;

export interface HangingModelOptions {
  /** Loop trip count (default 2^63 - 1); a small value gives a finite twin for testing semantics */
  tripCount?: bigint;
}

export function hangingModel(opts: HangingModelOptions = {}): Uint8Array {
  const tripCount = opts.tripCount ?? HANG_TRIP_COUNT;
  if (tripCount < 0n || tripCount > HANG_TRIP_COUNT) throw new RangeError(`tripCount must be in 0..2^63-1, got ${tripCount}`);
  const body = {
    name: 'hang_body',
    input: [
      valueInfo('iteration', DataType.INT64, []),
      valueInfo('cond_in', DataType.BOOL, []),
      valueInfo('value_in', DataType.FLOAT, [1]),
    ],
    output: [valueInfo('cond_out', DataType.BOOL, []), valueInfo('value_out', DataType.FLOAT, [1])],
    initializer: [floatTensor('one', [1], [1])],
    node: [
      node({ op: 'Identity', name: 'keep_going', inputs: ['cond_in'], outputs: ['cond_out'] }),
      node({ op: 'Add', name: 'add_one', inputs: ['value_in', 'one'], outputs: ['value_out'] }),
    ],
  };
  return encodeModel({
    docString: `Deliberately non-terminating model (Loop with trip count ${tripCount}) built by @edgeproof/model-zoo to test job timeouts.`,
    metadata: { 'edgeproof.hang.tripCount': String(tripCount) },
    graph: {
      name: 'hang',
      input: [valueInfo(HANG_INPUT, DataType.FLOAT, [1])],
      output: [valueInfo(HANG_OUTPUT, DataType.FLOAT, [1])],
      initializer: [int64Tensor('trip_count', [], [tripCount]), boolTensor('keep_going_initially', [], [true])],
      node: [
        node({
          op: 'Loop',
          name: 'forever',
          inputs: ['trip_count', 'keep_going_initially', HANG_INPUT],
          outputs: [HANG_OUTPUT],
          attrs: { body },
        }),
      ],
    },
  });
}
