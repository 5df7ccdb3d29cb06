import { ApprovedModelOut, ReleaseManifestOut, type ApprovedQuery } from '@edgeproof/contracts';
import { toModelVersionOut, toReleaseManifestOut, type Db } from '@edgeproof/db';
import { notFound } from '../../errors.ts';
import type { ReadCache } from '../cache/read-cache.ts';
import { findApproved } from './approvals.ts';
import { jsonAnswer, type JsonAnswer } from './etag.ts';

/** What the app-facing reads keep: the serialized answer, or the reason there is none. */
export type CachedAnswer = ({ found: true } & JsonAnswer) | { found: false; message: string };

export interface ReadDeps {
  db: Db;
  publicUrl(): string;
}

/** the release cache's group for one manifest (also the key its change notification carries) */
export const releaseKey = (app: string, appVersion: string) => `${app}\n${appVersion}`;

/**
 * The approved build of a model for a scope, from the cache (invalidated by approval notifications
 * for the model) or the database. An unknown model is not cached (it answers "model ... not found",
 * which a later model creation would change without any approval notification); a known model with
 * nothing approved for the scope is.
 */
export async function approvedAnswer(deps: ReadDeps, cache: ReadCache<CachedAnswer>, name: string, q: ApprovedQuery): Promise<CachedAnswer> {
  const baseUrl = deps.publicUrl();
  const key = JSON.stringify([q.platform ?? null, q.tier ?? null, q.channel, baseUrl]);
  const hit = cache.get(name, key);
  if (hit) return hit;
  const ticket = cache.ticket();
  const model = await deps.db.model.findUnique({ where: { name }, select: { id: true, name: true } });
  if (!model) throw notFound(`model ${name}`);
  const approval = await findApproved(deps.db, model.id, q);
  let answer: CachedAnswer;
  if (!approval) {
    const scope = `platform ${q.platform ?? 'any'}, tier ${q.tier ?? 'any'}, channel ${q.channel}`;
    answer = { found: false, message: `approved version of ${model.name} for ${scope}` };
  } else {
    const v = toModelVersionOut(approval.modelVersion, model.name, baseUrl);
    const body = ApprovedModelOut.parse({
      model: model.name,
      version: v.version,
      sha256: v.sha256,
      sizeBytes: v.sizeBytes,
      gzipSizeBytes: v.gzipSizeBytes,
      format: v.format,
      downloadUrl: v.downloadUrl,
      scope: { platform: approval.platform, tier: approval.tier, channel: approval.channel },
      approval: { id: approval.id, kind: approval.kind, approvedBy: approval.approvedBy, approvedAt: approval.createdAt.toISOString() },
      evidenceUrl: approval.gateEvaluationId ? `${baseUrl}/v1/gates/${approval.gateEvaluationId}` : null,
    } satisfies ApprovedModelOut);
    answer = { found: true, ...jsonAnswer(body) };
  }
  cache.set(ticket, name, key, answer);
  return answer;
}

/** A release manifest, from the cache (invalidated when the manifest is created) or the database. */
export async function releaseAnswer(db: Db, cache: ReadCache<CachedAnswer>, app: string, appVersion: string): Promise<CachedAnswer> {
  const group = releaseKey(app, appVersion);
  const hit = cache.get(group, '');
  if (hit) return hit;
  const ticket = cache.ticket();
  const row = await db.releaseManifest.findUnique({ where: { app_appVersion: { app, appVersion } } });
  const answer: CachedAnswer = row
    ? { found: true, ...jsonAnswer(ReleaseManifestOut.parse(toReleaseManifestOut(row))) }
    : { found: false, message: `release manifest ${app} ${appVersion}` };
  cache.set(ticket, group, '', answer);
  return answer;
}
