import { FeatureRunSettings, Scenario as ScenarioManifest, type JobFeature, type JobScenario, type RunCreate } from '@edgeproof/contracts';
import { featureBuildInclude, type Db, type Device, type FeatureBuildRow, type Scenario } from '@edgeproof/db';
import { AppError, notFound } from '../errors.ts';

export interface FeatureRun {
  build: FeatureBuildRow;
  scenario: Scenario;
}

/** Include for runs, so feature jobs can be (re)built from the run row. */
export const featureRunInclude = { featureBuild: { include: featureBuildInclude }, scenario: true } as const;

/**
 * A run with benchmark "feature" replays a feature build on a scenario; `model`@`version` must be one
 * of the model versions the build pins (the model the feature is evaluated with). Null for other runs.
 */
export async function resolveFeatureRun(db: Db, body: RunCreate, candidateVersionId: string): Promise<FeatureRun | null> {
  const wantsFeature = body.benchmarks.includes('feature');
  if (!wantsFeature) {
    if (body.feature || body.scenario) throw new AppError(400, 'bad_request', 'feature: only with benchmarks including "feature"');
    return null;
  }
  if (!body.feature) throw new AppError(400, 'bad_request', 'feature: required when benchmarks include "feature"');
  if (!body.scenario) throw new AppError(400, 'bad_request', 'scenario: required when benchmarks include "feature"');
  const build = await db.featureBuild.findUnique({ where: { name_version: body.feature }, include: featureBuildInclude });
  if (!build) throw notFound(`feature ${body.feature.name} version ${body.feature.version}`);
  const scenario = await db.scenario.findUnique({ where: { name_version: body.scenario } });
  if (!scenario) throw notFound(`scenario ${body.scenario.name} version ${body.scenario.version}`);
  if (!build.models.some((m) => m.modelVersionId === candidateVersionId)) {
    const pinned = build.models.map((m) => `${m.modelVersion.model.name}@${m.modelVersion.version}`).join(', ');
    throw new AppError(422, 'unprocessable', `model: feature ${build.name}@${build.version} pins ${pinned}, not ${body.model}@${body.version}`);
  }
  return { build, scenario };
}

/** Settings of a run with a feature replay: the feature block with its defaults. */
export function withFeatureDefaults(settings: RunCreate['settings'], feature: FeatureRun | null): RunCreate['settings'] {
  if (!feature) return settings;
  return { ...settings, feature: FeatureRunSettings.parse(settings.feature ?? {}) };
}

/** Web builds run on browser devices, Android builds on Android devices. */
export function featureRunsOn(device: Pick<Device, 'platform'>, build: Pick<FeatureBuildRow, 'platform'>): boolean {
  return build.platform === 'web' ? device.platform === 'browser' : device.platform === 'android';
}

export function featurePayload(build: FeatureBuildRow, scenario: Scenario): { feature: JobFeature; scenario: JobScenario } {
  return {
    feature: {
      buildId: build.id,
      name: build.name,
      version: build.version,
      platform: build.platform,
      sha256: build.sha256,
      models: build.models.map((m) => ({
        key: m.key,
        name: m.modelVersion.model.name,
        version: m.modelVersion.version,
        sha256: m.modelVersion.sha256,
        format: m.modelVersion.format,
      })),
    },
    scenario: {
      id: scenario.id,
      manifest: ScenarioManifest.parse(scenario.manifest),
      videoSha256: scenario.videoSha256,
      groundTruthSha256: scenario.groundTruthSha256,
    },
  };
}
