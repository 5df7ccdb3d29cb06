/**
 * parse-benchmark-model.ts against benchmark_model outputs as the tool printed them (each fixture's header says where
 * it was recorded or published, and which version of the format it shows).
 */
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { OpProfile } from '@edgeproof/contracts';
import { describe, expect, it } from 'vitest';
import { parseBenchmarkModel, parseRunStats } from '../src/android/parse-benchmark-model.ts';

const dir = join(import.meta.dirname, 'fixtures/benchmark-model');
const fixture = (name: string) => readFileSync(join(dir, name), 'utf8');

describe('benchmark_model output, every recorded version', () => {
  it('TF 2.4 on a Xiaomi Mi11, CPU: the trimmed tail (runs line, summary, "Peak memory footprint" wording)', () => {
    const p = parseBenchmarkModel(fixture('xiaomi-mi11-tf2.4.cpu-fp32.txt'));
    expect(p).toMatchObject({ summaryFormat: 'inference-timings', initUs: 16242, firstInferenceUs: 360262, warmupAvgUs: 304586, inferenceAvgUs: 249684 });
    // no "Running benchmark" line was kept: the runs line is the measured one because its avg is "Inference (avg)"
    expect(p.inference).toEqual({ count: 50, firstUs: 249042, currUs: 250889, minUs: 247067, maxUs: 254474, avgUs: 249684, stdUs: 1442, p5Us: null, medianUs: null, p95Us: null });
    expect(p.warmup).toBeNull();
    expect(p.memory).toEqual({ initDeltaMb: 4.92969, overallDeltaMb: 138.809, peakMb: null, endVmRssMb: null });
    expect(p.opProfile).toBeNull();
    expect(p.errors).toEqual([]);
  });

  it('a newer build on the same phone: "Memory footprint delta from the start of the tool" wording', () => {
    const p = parseBenchmarkModel(fixture('xiaomi-mi11.cpu-fp32.memory-delta.txt'));
    expect(p).toMatchObject({ initUs: 1430, firstInferenceUs: 247583, warmupAvgUs: 222136, inferenceAvgUs: 220000 });
    expect(p.inference).toMatchObject({ count: 50, firstUs: 207897, currUs: 225553, minUs: 206675, maxUs: 231957, avgUs: 220000, stdUs: 6795 });
    expect(p.memory).toMatchObject({ initDeltaMb: 5.66016, overallDeltaMb: 140.508, peakMb: null });
  });

  it('TF 2.3-era full output with op profiling on: warmup and measured runs told apart by the "Running benchmark" lines', () => {
    const p = parseBenchmarkModel(fixture('issue-42507.cpu-op-profiling.espcn.txt'));
    expect(p.warmup).toMatchObject({ count: 15, firstUs: 49060, currUs: 33682, minUs: 32825, maxUs: 49060, avgUs: 34825.1, stdUs: 3930 });
    expect(p.inference).toMatchObject({ count: 50, firstUs: 32891, currUs: 33978, minUs: 32641, maxUs: 34005, avgUs: 33209.4, stdUs: 450 });
    expect(p).toMatchObject({ initUs: 855, firstInferenceUs: 49060, modelSizeMb: 0.004448 });
    expect(p.memory).toMatchObject({ initDeltaMb: 0, overallDeltaMb: 12.8672 });
    expect(p.createdDelegates).toEqual([]);
  });

  it('GPU delegate through OpenCL, fully delegated', () => {
    const p = parseBenchmarkModel(fixture('issue-43541.gpu-opencl.denoising.txt'));
    expect(p.createdDelegates).toEqual(['GPU']);
    expect(p.appliedDelegates).toEqual([{ name: 'GPU', coverage: 'full', delegateKernels: null }]);
    expect(p).toMatchObject({ initUs: 870557, firstInferenceUs: 130565, warmupAvgUs: 122373, inferenceAvgUs: 119375, modelSizeMb: 7.07479 });
    expect(p.warmup).toMatchObject({ count: 4, avgUs: 122373 });
    expect(p.inference).toMatchObject({ count: 50, minUs: 113737, maxUs: 124776, stdUs: 1948 });
    // this paste stops before the memory lines
    expect(p.memory).toEqual({ initDeltaMb: null, overallDeltaMb: null, peakMb: null, endVmRssMb: null });
  });

  it('recent build: INFO prefixes, percentiles on the runs lines, GPU full and NNAPI taking nothing', () => {
    const p = parseBenchmarkModel(fixture('android-recent.gpu-and-nnapi.percentiles.txt'));
    expect(p.inference).toEqual({ count: 50, firstUs: 307215, currUs: 309783, minUs: 305938, maxUs: 333030, avgUs: 309350, stdUs: 4411, p5Us: 306372, medianUs: 307968, p95Us: 315711 });
    expect(p.warmup).toMatchObject({ count: 2, p5Us: 309932, medianUs: 328140, p95Us: 328140 });
    expect(p.createdDelegates).toEqual(['GPU', 'NNAPI']);
    expect(p.appliedDelegates).toEqual([
      { name: 'GPU', coverage: 'full', delegateKernels: null },
      { name: 'NNAPI', coverage: 'none', delegateKernels: 0 },
    ]);
    expect(p.replacedNodes).toEqual([{ kernel: 'TfLiteGpuDelegateV2', replaced: 49, total: 49, partitions: 1 }]);
    expect(p.memory).toMatchObject({ initDeltaMb: 375.48, overallDeltaMb: 375.48 });
    expect(p).toMatchObject({ initUs: 5664363, firstInferenceUs: 328140 });
  });

  it('recent build, default XNNPACK: a single warmup run is "count=1 curr=X p5=X median=X p95=X"', () => {
    const p = parseBenchmarkModel(fixture('android-recent.cpu-xnnpack.percentiles.txt'));
    expect(p.warmup).toEqual({ count: 1, firstUs: 670083, currUs: 670083, minUs: 670083, maxUs: 670083, avgUs: 670083, stdUs: 0, p5Us: 670083, medianUs: 670083, p95Us: 670083 });
    expect(p.inference).toMatchObject({ count: 50, maxUs: 2270688, stdUs: 325425, medianUs: 576856, p95Us: 1373207 });
    expect(p.createdDelegates).toEqual(['XNNPACK']);
    expect(p.appliedDelegates).toEqual([]);
    expect(p.replacedNodes).toEqual([{ kernel: 'TfLiteXNNPackDelegate', replaced: 49, total: 49, partitions: 1 }]);
  });

  it('a delegate that fails to prepare: the errors, "Failed to apply NNAPI delegate." and no timings', () => {
    const p = parseBenchmarkModel(fixture('xiaomi-mi11-tf2.4.nnapi-qti-default.delegate-failed.txt'));
    expect(p.benchmarkingFailed).toBe(true);
    expect(p.failedDelegates).toEqual(['NNAPI']);
    expect(p.createdDelegates).toEqual(['NNAPI']);
    expect(p.errors).toEqual([
      'NN API returned error ANEURALNETWORKS_OP_FAILED at line 3779 while completing NNAPI compilation.',
      'Node number 248 (TfLiteNnapiDelegate) failed to prepare.',
      'Restored original execution plan after delegate application failure.',
      'Failed to apply NNAPI delegate.',
      'Benchmarking failed.',
    ]);
    expect(p.inferenceAvgUs).toBeNull();
  });
});

describe('op profile (--enable_op_profiling)', () => {
  it('TF 2.4, NNAPI partitions: only the regular runs\' tables, not the initialization profile', () => {
    const p = parseBenchmarkModel(fixture('xiaomi-mi11-tf2.4.nnapi-qti-gpu.op-profiling.txt'));
    const op = p.opProfile as OpProfile;
    expect(OpProfile.parse(op)).toEqual(op);
    expect(op.runs).toBe(50);
    expect(op.rows).toHaveLength(11);
    expect(op.rows.map((r) => r.nodeType)).not.toContain('ModifyGraphWithDelegate');
    expect(op.rows[0]).toEqual({ nodeType: 'STRIDED_SLICE', name: '[model/tf.strided_slice/StridedSlice]:0', graph: 'primary', startMs: 0.021, firstMs: 2.167, avgMs: 2.118, percent: 1.335, cdfPercent: 1.335, memKb: 0, timesCalled: 1 });
    expect(op.rows[6]).toEqual({
      nodeType: 'TfLiteNnapiDelegate',
      name: '[model/tf.nn.silu_16/mul, model/tf.nn.silu_26/mul, model/tf.nn.silu_35/mul]:231',
      graph: 'primary',
      startMs: 8.377,
      firstMs: 78.701,
      avgMs: 79.01,
      percent: 49.781,
      cdfPercent: 55.042,
      memKb: 0,
      timesCalled: 1,
    });
    expect(op.rows.at(-1)).toMatchObject({ nodeType: 'TfLiteNnapiDelegate', name: '[Identity, Identity_1, Identity_2]:233', avgMs: 56.058, cdfPercent: 100 });
    expect(op.byNodeType).toEqual([
      { nodeType: 'TfLiteNnapiDelegate', graph: 'primary', count: 3, avgMs: 149.483, percent: 94.187, cdfPercent: 94.187, memKb: 0, timesCalled: 3 },
      { nodeType: 'STRIDED_SLICE', graph: 'primary', count: 6, avgMs: 8.347, percent: 5.259, cdfPercent: 99.446, memKb: 0, timesCalled: 6 },
      { nodeType: 'RESIZE_NEAREST_NEIGHBOR', graph: 'primary', count: 2, avgMs: 0.879, percent: 0.554, cdfPercent: 100, memKb: 0, timesCalled: 2 },
    ]);
  });

  it('the README sample (oldest format): tables with no section header, [Name] in brackets, "Average inference timings"', () => {
    const p = parseBenchmarkModel(fixture('tflite-readme.mobilenet-quant-v1-224.op-profiling.txt'));
    expect(p).toMatchObject({ summaryFormat: 'average-timings', initUs: 38467, warmupAvgUs: 83235, inferenceAvgUs: 79760.9, firstInferenceUs: null });
    const op = p.opProfile as OpProfile;
    expect(op.runs).toBe(50);
    expect(op.rows).toHaveLength(31);
    expect(op.rows[1]).toEqual({ nodeType: 'DEPTHWISE_CONV_2D', name: '[MobilenetV1/MobilenetV1/Conv2d_1_depthwise/Relu6]', graph: 'primary', startMs: 4.27, firstMs: 2.15, avgMs: 2.15, percent: 0.054, cdfPercent: 0.161, memKb: 0, timesCalled: 0 });
    expect(op.rows.at(-1)).toMatchObject({ nodeType: 'SOFTMAX', startMs: 79.443, avgMs: 0.029 });
    expect(op.byNodeType.map((t) => [t.nodeType, t.count, t.avgMs, t.percent])).toEqual([
      ['CONV_2D', 15, 1.406, 89.27],
      ['DEPTHWISE_CONV_2D', 13, 0.169, 10.73],
      ['SOFTMAX', 1, 0, 0],
      ['RESHAPE', 1, 0, 0],
      ['AVERAGE_POOL_2D', 1, 0, 0],
    ]);
  });

  it('newest format: no [start] column, space aligned, XNNPACK operators with spaces in their type', () => {
    const p = parseBenchmarkModel(fixture('linux-x86-recent.xnnpack-op-profiling.efficientdet-lite0.txt'));
    expect(p).toMatchObject({ initUs: 32163, firstInferenceUs: 19834, inferenceAvgUs: 15517.6 });
    expect(p.memory).toMatchObject({ initDeltaMb: 22.0273, overallDeltaMb: 34.8281 });
    const op = p.opProfile as OpProfile;
    expect(op.runs).toBe(64);
    expect(op.rows).toHaveLength(12);
    expect(op.rows[0]).toEqual({ nodeType: 'QUANTIZE', name: '[tfl.quantize]:0', graph: 'primary', startMs: null, firstMs: 0.199, avgMs: 0.203, percent: 1.328, cdfPercent: 1.328, memKb: 0, timesCalled: 1 });
    expect(op.rows[2]).toMatchObject({ nodeType: 'Convolution (NHWC, QC8) DWConv', name: 'Delegate/Convolution (NHWC, QC8) DWConv:1', avgMs: 0.051, timesCalled: 13 });
    expect(op.byNodeType).toHaveLength(11);
    expect(op.byNodeType[0]).toEqual({ nodeType: 'Convolution (NHWC, QC8) GEMM', graph: 'primary', count: 62, avgMs: 5.236, percent: 34.361, cdfPercent: 34.361, memKb: 0, timesCalled: 101 });
    expect(op.byNodeType.at(-1)).toMatchObject({ nodeType: 'Max Pooling (NHWC, S8)', count: 10, timesCalled: 14 });
  });

  it('every fixture parses, and every op profile fits the result contract', () => {
    const files = readdirSync(dir).filter((f) => f.endsWith('.txt'));
    expect(files.length).toBeGreaterThanOrEqual(9);
    for (const f of files) {
      const p = parseBenchmarkModel(fixture(f));
      if (p.opProfile) expect(() => OpProfile.parse(p.opProfile)).not.toThrow();
    }
  });
});

describe('lines in the formats the tool\'s source prints', () => {
  // stats_calculator.h Stat::OutputToStream: count=0 / count=1 curr=X / count=N curr=X(all same)
  it('single-value and empty runs lines', () => {
    expect(parseRunStats('count=0')).toMatchObject({ count: 0, avgUs: null, minUs: null });
    expect(parseRunStats('count=1 curr=11409')).toMatchObject({ count: 1, firstUs: 11409, minUs: 11409, maxUs: 11409, avgUs: 11409, stdUs: 0 });
    expect(parseRunStats('count=3 curr=250(all same)')).toMatchObject({ count: 3, avgUs: 250, stdUs: 0 });
    expect(parseRunStats('Timings (microseconds): count=1')).toBeNull();
  });

  // benchmark_model.cc (LiteRT): "Overall peak memory footprint (MB) via periodic monitoring: " << peak_mem_mb, then VmRSS
  it('--report_peak_memory_footprint and unconsumed flags', () => {
    const p = parseBenchmarkModel(
      [
        'INFO: Overall peak memory footprint (MB) via periodic monitoring: 93.2383',
        'INFO: Memory status at the end of exeution:',
        'INFO: - VmRSS              : 13 MB',
        'WARN: Unconsumed cmdline flags: --use_gpu=true --report_peak_memory_footprint=true',
      ].join('\n'),
    );
    expect(p.memory).toMatchObject({ peakMb: 93.2383, endVmRssMb: 13 });
    expect(p.unconsumedFlags).toEqual(['--use_gpu=true', '--report_peak_memory_footprint=true']);
  });
});
