export { createRng, type Rng } from '@edgeproof/metrics';
export {
  Y4M_SIGNATURE,
  Y4M_COLORSPACES,
  Y4mFormatError,
  Y4M_MAX_DIMENSION,
  Y4M_MAX_LINE_BYTES,
  chromaSize,
  frameByteLength,
  formatY4mHeader,
  parseY4mHeaderLine,
  encodeY4m,
  writeY4mFile,
  parseY4m,
  isChromiumCompatible,
  type Y4mColorspace,
  type Y4mHeader,
  type Y4mVideo,
  type Yuv420Frame,
} from './y4m.ts';
export { scanY4m, type Y4mScan } from './y4m-scan.ts';
export { rgbToYuv420, yuv420ToRgba, packI420, lumaOf, type YuvRange, type ChromaUpsampling, type ToRgbaOptions } from './yuv.ts';
export {
  FRAME_CODE_ROWS,
  FRAME_CODE_BLOCKS,
  FRAME_CODE_INDEX_BITS,
  FRAME_CODE_MAX_INDEX,
  FRAME_CODE_MIN_WIDTH,
  frameCodeRegion,
  frameCodeBits,
  drawFrameCode,
  decodeFrameIndex,
  decodeFrameIndexI420,
  i420ByteLength,
  maskFrameCode,
  maskFrameCodeI420,
  type Region,
} from './frame-code.ts';
export { ITEM_CLASSES, itemClass, insideShape, isAccent, type ItemClass, type ItemShape, type Rgb } from './catalog.ts';
export { planScene, resolveSceneOptions, type SceneOptions, type ResolvedSceneOptions, type ScenePlan, type PlannedItem, type Point, type Rect } from './plan.ts';
export { renderScene, type GtBox, type RenderedFrame } from './render.ts';
export { parseMotGroundTruth, summarizeMotLines, MOT_MAX_BOXES, MOT_MAX_LINE_BYTES, formatMotGroundTruth, motRowsToTrackBoxes, MotFormatError, type MotRow, type MotParseOptions } from './mot.ts';
export {
  SCENE_GENERATOR,
  SCENARIO_FILES,
  generateScenario,
  writeScenario,
  validateScenario,
  validateScenarioStreams,
  readScenarioDir,
  ScenarioValidationError,
  type GenerateScenarioOptions,
  type GeneratedScenario,
  type ValidScenario,
  type ScenarioSummary,
} from './scenario.ts';
