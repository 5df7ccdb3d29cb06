import type { OpProfile } from '@edgeproof/contracts';
import { describe, expect, it } from 'vitest';
import { opProfileView } from '../src/shaping/index.ts';

// rows of a recorded benchmark_model op profile (Xiaomi Mi11, NNAPI on qti-gpu), as the devices package parses them:
// packages/devices/test/fixtures/benchmark-model/xiaomi-mi11-tf2.4.nnapi-qti-gpu.op-profiling.txt
const row = (nodeType: string, name: string, avgMs: number, percent: number, graph = 'primary') => ({ nodeType, name, graph, startMs: 0, firstMs: avgMs, avgMs, percent, cdfPercent: null, memKb: 0, timesCalled: 1 });
const profile: OpProfile = {
  source: 'benchmark_model --enable_op_profiling',
  runs: 50,
  rows: [
    row('STRIDED_SLICE', '[model/tf.strided_slice/StridedSlice]:0', 2.118, 1.335),
    row('TfLiteNnapiDelegate', '[model/tf.nn.silu_16/mul, model/tf.nn.silu_26/mul, model/tf.nn.silu_35/mul]:231', 79.01, 49.781),
    row('TfLiteNnapiDelegate', '[model/tf.nn.silu_41/mul]:232', 14.418, 9.084),
    row('TfLiteNnapiDelegate', '[Identity, Identity_1, Identity_2]:233', 56.058, 35.32),
    row('CONV_2D', 'in a delegate\'s own profile', 99, 1, 'delegate internal'),
  ],
  byNodeType: [
    { nodeType: 'STRIDED_SLICE', graph: 'primary', count: 6, avgMs: 8.347, percent: 5.259, cdfPercent: 99.446, memKb: 0, timesCalled: 6 },
    { nodeType: 'TfLiteNnapiDelegate', graph: 'primary', count: 3, avgMs: 149.483, percent: 94.187, cdfPercent: 94.187, memKb: 0, timesCalled: 3 },
    { nodeType: 'RESIZE_NEAREST_NEIGHBOR', graph: 'primary', count: 2, avgMs: 0.879, percent: 0.554, cdfPercent: 100, memKb: 0, timesCalled: 2 },
  ],
};

describe('op profile on the run page', () => {
  it('node types slowest first, then the primary graph\'s slowest nodes, with what is left out counted', () => {
    const v = opProfileView(profile, 2);
    expect(v.runs).toBe(50);
    expect(v.byNodeType.map((t) => t.nodeType)).toEqual(['TfLiteNnapiDelegate', 'STRIDED_SLICE', 'RESIZE_NEAREST_NEIGHBOR']);
    expect(v.slowest.map((r) => r.name)).toEqual(['[model/tf.nn.silu_16/mul, model/tf.nn.silu_26/mul, model/tf.nn.silu_35/mul]:231', '[Identity, Identity_1, Identity_2]:233']);
    expect(v.hidden).toBe(2);
  });
});
