import { ITEM_CLASSES } from '@edgeproof/scenes/catalog';
import type { FeatureFrame, FeatureInitOptions, FeatureSettings, FeatureTrack } from '@edgeproof/contracts';
import { ItemDetector, type Detection } from './detect.ts';
import { isOrtLike } from './ort.ts';
import { IouTracker, type ShownTrack } from './tracker.ts';
import { parseFeatureSettings } from './settings.ts';

/** Detector output channel order = the product catalogue's order. */
export const LABELS: readonly string[] = ITEM_CLASSES.map((c) => c.name);
export const DETECTOR_MODEL_KEY = 'detector';

export interface ItemFeature {
  init(options: FeatureInitOptions): Promise<void>;
  process(frame: FeatureFrame): Promise<FeatureTrack[]>;
  dispose(): Promise<void>;
}

const round = (v: number) => Math.round(v * 100) / 100;
const toTrack = (t: ShownTrack): FeatureTrack => ({
  id: t.id,
  bbox: [round(t.bbox[0]), round(t.bbox[1]), round(Math.max(0, t.bbox[2])), round(Math.max(0, t.bbox[3]))],
  label: t.label,
  score: Math.min(1, Math.max(0, t.score)),
});

/**
 * The shared frame loop of both bundles: settings, frame skipping (processEveryK), detection interval.
 * `tracking: false` is the deliberately worse variant: it runs the detector on every processed frame
 * and gives every detection a new id.
 */
export function createItemFeature({ tracking }: { tracking: boolean }): ItemFeature {
  let detector: ItemDetector | undefined;
  let tracker: IouTracker | undefined;
  let settings: FeatureSettings = parseFeatureSettings({});
  let calls = 0;
  let processed = 0;
  let nextId = 1;
  let last: FeatureTrack[] = [];

  const validateFrame = (f: FeatureFrame) => {
    const bytes = f.format === 'I420' ? f.width * f.height + 2 * Math.ceil(f.width / 2) * Math.ceil(f.height / 2) : f.width * f.height * 4;
    if (f.format !== 'I420' && f.format !== 'RGBA') throw new TypeError(`frame.format must be "I420" or "RGBA", got ${String(f.format)}`);
    if (!(f.data instanceof Uint8Array || f.data instanceof Uint8ClampedArray) || f.data.length !== bytes) {
      throw new TypeError(`frame.data must be ${bytes} bytes of ${f.format} for ${f.width}x${f.height}`);
    }
  };

  return {
    async init({ modelUrls, settings: input, ort }) {
      if (detector) throw new Error('init called twice without dispose');
      settings = parseFeatureSettings(input ?? {});
      calls = 0;
      processed = 0;
      nextId = 1;
      last = [];
      if (!isOrtLike(ort)) throw new TypeError('ort must be an onnxruntime instance (InferenceSession and Tensor)');
      const url = modelUrls[DETECTOR_MODEL_KEY];
      if (typeof url !== 'string') throw new TypeError(`modelUrls.${DETECTOR_MODEL_KEY} is required`);
      detector = await ItemDetector.create(ort, url, LABELS, settings.threads);
      tracker = tracking ? new IouTracker() : undefined;
    },

    async process(frame) {
      if (!detector) throw new Error('process called before init');
      validateFrame(frame);
      const call = calls++;
      if (call % settings.processEveryK !== 0) return last.map((t) => ({ ...t, bbox: [...t.bbox] }));
      const step = processed++;
      let shown: FeatureTrack[];
      if (tracker) {
        if (step % settings.detectionInterval === 0) {
          const dets = await detector.detect(frame);
          shown = tracker.update(dets, frame.index).map(toTrack);
        } else {
          shown = tracker.predict(frame.index).map(toTrack);
        }
      } else {
        const dets: Detection[] = await detector.detect(frame);
        shown = dets.map((d) => toTrack({ id: nextId++, bbox: d.bbox, label: d.label, score: d.score }));
      }
      last = shown;
      return shown;
    },

    async dispose() {
      await detector?.dispose();
      detector = undefined;
      tracker = undefined;
    },
  };
}
