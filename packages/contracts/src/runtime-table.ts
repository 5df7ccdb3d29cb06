import { z } from 'zod';
import { DeviceTier } from './common.ts';

/**
 * One version on one runtime of one device, as a run measured it: what `GET /v1/runs/:id/runtimes`,
 * the CLI (`edgeproof run runtimes`) and the dashboard's version page show side by side.
 */
export const RuntimeRow = z.object({
  device: z.object({ id: z.uuid(), localKey: z.string(), platform: z.string(), tier: DeviceTier, model: z.string().nullable() }),
  version: z.string(),
  format: z.enum(['onnx', 'tflite']),
  /** variant: another form of the candidate (RunCreate.variants) */
  role: z.enum(['candidate', 'baseline', 'variant']),
  /** as devices advertise runtimes: "onnxruntime-web/wasm", "litert/wasm", "onnxruntime-node", "tflite" */
  runtime: z.string(),
  runtimeVersion: z.string().nullable(),
  sizeBytes: z.number(),
  gzipSizeBytes: z.number(),
  latency: z
    .object({
      p50: z.number(),
      p90: z.number(),
      p99: z.number(),
      runs: z.number().int(),
      sessionCreateMs: z.number(),
      firstInferenceMs: z.number(),
      /** measured alternately with the other version in one session (run.interleave) */
      interleaved: z.boolean(),
      /** why the measurement counts as contended, else null */
      contended: z.string().nullable(),
    })
    .nullable(),
  peakMemoryBytes: z.number().nullable(),
  accuracy: z.object({ top1: z.number(), top5: z.number(), samples: z.number().int() }).nullable(),
  /** output agreement with the parity reference (stated: runtime, settings) */
  parity: z.object({ maxAbsError: z.number(), minCosine: z.number().nullable(), samples: z.number().int(), reference: z.string() }).nullable(),
  failures: z.array(z.object({ benchmark: z.string(), error: z.string() })),
});
export type RuntimeRow = z.infer<typeof RuntimeRow>;

export const RuntimeTable = z.object({
  run: z.uuid(),
  rows: z.array(RuntimeRow),
});
export type RuntimeTable = z.infer<typeof RuntimeTable>;
