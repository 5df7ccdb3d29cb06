import { Scenario as ScenarioManifest, type FeatureBuildOut, type ScenarioOut } from '@edgeproof/contracts';
import type { FeatureBuild, FeatureBuildModel, Model, ModelVersion, Scenario } from './generated/prisma/client.ts';

export type FeatureBuildRow = FeatureBuild & { models: Array<FeatureBuildModel & { modelVersion: ModelVersion & { model: Model } }> };

/** Include for FeatureBuild queries that feed toFeatureBuildOut. */
export const featureBuildInclude = { models: { include: { modelVersion: { include: { model: true } } }, orderBy: { key: 'asc' as const } } };

export function toFeatureBuildOut(b: FeatureBuildRow): FeatureBuildOut {
  return {
    id: b.id,
    name: b.name,
    version: b.version,
    platform: b.platform,
    sha256: b.sha256,
    sizeBytes: Number(b.sizeBytes),
    gitCommit: b.gitCommit,
    description: b.description,
    models: b.models.map((m) => ({ key: m.key, model: m.modelVersion.model.name, version: m.modelVersion.version, sha256: m.modelVersion.sha256 })),
    createdBy: b.createdBy,
    createdAt: b.createdAt.toISOString(),
  };
}

export function toScenarioOut(s: Scenario): ScenarioOut {
  return {
    id: s.id,
    name: s.name,
    version: s.version,
    fps: s.fps,
    width: s.width,
    height: s.height,
    frameCount: s.frameCount,
    groundTruthBoxes: s.groundTruthBoxes,
    tracks: s.tracks,
    videoSha256: s.videoSha256,
    videoSizeBytes: Number(s.videoSizeBytes),
    groundTruthSha256: s.groundTruthSha256,
    manifest: ScenarioManifest.parse(s.manifest),
    createdBy: s.createdBy,
    createdAt: s.createdAt.toISOString(),
  };
}
