export { trainMnistClassifier, trainMlp, trainedClassifier, mlpToOnnx, predictDigit, MNIST_INPUT, MNIST_OUTPUT, MNIST_LABELS } from './train.ts';
export { mlpToTflite, mlpToQuantizedTflite, quantizePixels, TFLITE_SIGNATURE_KEY, TFLITE_MIN_RUNTIME_VERSION } from './tflite-build.ts';
export type { MlpTfliteOptions, Int8Quantization, QuantizedMlpTflite } from './tflite-build.ts';
export type { TrainOptions, MnistClassifier, MlpWeights } from './train.ts';
export { writeMnistDataset, MNIST_DATASET_HEADER, MNIST_HELD_OUT_SIZE } from './dataset.ts';
export type { MnistDatasetOptions, WrittenDataset } from './dataset.ts';
export { slowDownModel, SLOW_BRANCH_PREFIX } from './slow.ts';
export type { SlowDownOptions } from './slow.ts';
export { hangingModel, HANG_INPUT, HANG_OUTPUT, HANG_TRIP_COUNT } from './hang.ts';
export type { HangingModelOptions } from './hang.ts';
export {
  buildZoo,
  loadZoo,
  defaultZooDir,
  ZOO_FORMAT,
  ZOO_BUILDER_VERSION,
  DEFAULT_ZOO_SEED,
  ZOO_SLOW_EXTRA_WORK,
  ZOO_TEST_SAMPLES,
  ZOO_CALIBRATION_SAMPLES,
  ZOO_FILES,
  ZOO_MANIFEST_FILE,
} from './zoo.ts';
export type { ZooManifest, ZooFileEntry, ZooModelEntry, ZooTensor, ZooTfliteEntry, ZooTfliteTensor, BuildZooOptions } from './zoo.ts';
export { heldOutSamples, trainingSamples, trainPoolSize, HELD_OUT_SIZE, PIXELS } from './mnist-data.ts';
export type { MnistSample } from './mnist-data.ts';
export { PRODUCER_NAME, OPSET, IR_VERSION } from './onnx-build.ts';
export { createRng, type Rng } from '@edgeproof/metrics';
