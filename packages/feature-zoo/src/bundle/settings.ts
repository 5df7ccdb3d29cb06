import type { FeatureSettings } from '@edgeproof/contracts';

/**
 * The contract's FeatureSettings checked by hand, so the browser bundle carries no schema library.
 * Same bounds and defaults as the zod schema in @edgeproof/contracts (a test compares them).
 */
const BOUNDS = {
  processEveryK: { min: 1, max: 1000, default: 1 },
  detectionInterval: { min: 1, max: 1000, default: 1 },
  threads: { min: 1, max: 64, default: 1 },
} as const;

export function parseFeatureSettings(input: unknown): FeatureSettings {
  if (typeof input !== 'object' || input === null || Array.isArray(input)) throw new TypeError('settings must be an object');
  const record = input as Record<string, unknown>;
  for (const key of Object.keys(record)) {
    if (!(key in BOUNDS)) throw new TypeError(`settings.${key}: unknown setting (known: ${Object.keys(BOUNDS).join(', ')})`);
  }
  const read = (key: keyof typeof BOUNDS): number => {
    const b = BOUNDS[key];
    const v = record[key] ?? b.default;
    if (typeof v !== 'number' || !Number.isInteger(v) || v < b.min || v > b.max) {
      throw new TypeError(`settings.${key}: must be an integer in ${b.min}..${b.max}, got ${JSON.stringify(v)}`);
    }
    return v;
  };
  return { processEveryK: read('processEveryK'), detectionInterval: read('detectionInterval'), threads: read('threads') };
}
