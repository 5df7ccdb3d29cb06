import type { EvaluateJobPayload } from '@edgeproof/contracts';
import type { DriverJob } from '@edgeproof/devices';

type Fetch = (sha256: string, what: string) => Promise<string>;

/**
 * Local copies of what a feature replay reads: the feature build, its pinned models, the scenario's
 * video (the file the browser's fake camera plays) and ground truth. Empty for other benchmarks.
 */
export async function featureArtifacts(payload: EvaluateJobPayload, fetch: Fetch): Promise<Pick<DriverJob, 'feature' | 'scenario'>> {
  const { feature, scenario } = payload;
  if (payload.benchmark !== 'feature' || !feature || !scenario) return {};
  const [path, videoPath, groundTruthPath, ...models] = await Promise.all([
    fetch(feature.sha256, `feature build ${feature.name}@${feature.version}`),
    fetch(scenario.videoSha256, `scenario ${scenario.manifest.name} video`),
    fetch(scenario.groundTruthSha256, `scenario ${scenario.manifest.name} ground truth`),
    ...feature.models.map((m) => fetch(m.sha256, `model ${m.name}@${m.version}`)),
  ]);
  return {
    feature: {
      name: feature.name,
      version: feature.version,
      platform: feature.platform,
      path,
      sha256: feature.sha256,
      models: Object.fromEntries(feature.models.map((m, i) => [m.key, { path: models[i] as string, name: m.name, version: m.version, format: m.format }])),
    },
    scenario: { manifest: scenario.manifest, videoPath, groundTruthPath },
  };
}
