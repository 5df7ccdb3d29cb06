import type { BenchmarkSettings, ResultEnvironment } from '@edgeproof/contracts';

type MeasurementFields = Pick<
  ResultEnvironment,
  'warmupMinRuns' | 'warmupMinSeconds' | 'measureMinRuns' | 'measureMinSeconds' | 'measureMaxRuns' | 'measureMaxSeconds' | 'inputSource' | 'inputSeed'
>;

/** The settings every driver copies into a result's environment, so a figure says how it was measured. */
export function measurementSettings(s: BenchmarkSettings): MeasurementFields {
  return {
    warmupMinRuns: s.warmupMinRuns,
    warmupMinSeconds: s.warmupMinSeconds,
    measureMinRuns: s.measureMinRuns,
    measureMinSeconds: s.measureMinSeconds,
    measureMaxRuns: s.measureMaxRuns,
    measureMaxSeconds: s.measureMaxSeconds,
    inputSource: s.inputSource,
    inputSeed: s.inputSeed,
  };
}
