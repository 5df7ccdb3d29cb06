import type { FeatureRunSettings } from '@edgeproof/contracts';
import { DriverError, type DriverJob } from '../driver.ts';

/**
 * A feature replay's settings (`settings.feature`) as the job carries them: the API resolves every
 * default before it queues the job (apps/api job-payload.ts), so drivers never apply one themselves.
 */
export function featureRunSettings(job: DriverJob): FeatureRunSettings {
  const run = job.settings.feature;
  if (run === undefined) throw new DriverError('invalid_input', 'a feature job needs settings.feature (the API sends it with every default applied)');
  return run;
}
