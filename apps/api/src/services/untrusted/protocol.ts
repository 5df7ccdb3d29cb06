import type { ErrorCode, FeaturePlatform } from '@edgeproof/contracts';
import type { DatasetHeader } from '@edgeproof/contracts';
import type { InspectedModel } from '@edgeproof/models';
import type { ScenarioSummary } from '@edgeproof/scenes';

/** What the main thread asks a parser worker to check; every file is a staged upload on disk. */
export type UntrustedTask =
  | { kind: 'model'; path: string }
  | { kind: 'dataset'; path: string }
  | { kind: 'scenario'; manifestPath: string; videoPath: string; groundTruthPath: string }
  | { kind: 'feature'; path: string; platform: FeaturePlatform; sizeBytes: number };

export interface UntrustedResults {
  model: InspectedModel;
  dataset: { header: DatasetHeader; sampleCount: number };
  scenario: ScenarioSummary;
  feature: null;
}

/** The HTTP answer for bytes that fail their check, built in the worker (AppError does not cross threads). */
export interface Rejection {
  status: number;
  code: ErrorCode;
  message: string;
  details?: unknown;
}

export type UntrustedOutcome<K extends UntrustedTask['kind'] = UntrustedTask['kind']> = { ok: true; value: UntrustedResults[K] } | { ok: false; rejection: Rejection };
