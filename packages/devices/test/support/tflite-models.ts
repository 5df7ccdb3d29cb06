import { readFileSync } from 'node:fs';
import { createHash } from 'node:crypto';
import { join } from 'node:path';
import { BenchmarkSettings, type BenchmarkKind, type BenchmarkSettingsInput } from '@edgeproof/contracts';
import { parseTfliteSignature } from '@edgeproof/models';
import type { DriverJob } from '../../src/index.ts';

/** MediaPipe's BlazeFace short-range detector (Apache-2.0, npm @mediapipe/face_detection): input [1,128,128,3] float32 NHWC. */
export const FACE_DETECTION_TFLITE = join(import.meta.dirname, '../../../../node_modules/@mediapipe/face_detection/face_detection_short_range.tflite');

/** A job for a TFLite model, its signature read with the models package's TFLite parser. */
export function makeTfliteJob(
  modelPath: string,
  benchmark: BenchmarkKind,
  settings: BenchmarkSettingsInput = {},
  dataset: DriverJob['dataset'] = null,
): DriverJob {
  const bytes = readFileSync(modelPath);
  return {
    jobId: '00000000-0000-4000-8000-000000000002',
    benchmark,
    model: { path: modelPath, sha256: createHash('sha256').update(bytes).digest('hex'), format: 'tflite', signature: parseTfliteSignature(bytes) },
    dataset,
    settings: BenchmarkSettings.parse(settings),
  };
}
