import { ReleaseManifestOut, ReleaseManifestPut, Slug, VersionName } from '@edgeproof/contracts';
import { toModelVersionOut, toReleaseManifestOut, uniqueViolation, type ReleaseManifest } from '@edgeproof/db';
import { isDeepStrictEqual } from 'node:util';
import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { AppError, notFound } from '../../../errors.ts';
import { announceChange, changeCommitted } from '../../../services/cache/changes.ts';
import { releaseAnswer, releaseKey } from '../../../services/gating/approved-reads.ts';
import { findApproved } from '../../../services/gating/approvals.ts';
import { IMMUTABLE, sendJsonAnswer } from '../../../services/gating/etag.ts';

const Params = z.strictObject({ app: Slug, appVersion: VersionName });

/**
 * Release manifests: the model builds pinned for one app version. A manifest is immutable: the
 * same PUT again answers 200, different pins 409.
 */
const releaseRoutes: FastifyPluginAsyncZod = async (app) => {
  app.put(
    '/:app/:appVersion',
    { config: { roles: ['ml_engineer', 'ci'] }, schema: { params: Params, body: ReleaseManifestPut, response: { 200: ReleaseManifestOut, 201: ReleaseManifestOut } } },
    async (request, reply) => {
      const { app: appName, appVersion } = request.params;
      const models: Array<{ name: string; version: string; sha256: string; sizeBytes: number; format: string; downloadUrl: string; approval: string | null }> = [];
      for (const m of request.body.models) {
        const model = await app.db.model.findUnique({ where: { name: m.name } });
        if (!model) throw notFound(`model ${m.name}`);
        let approvalId: string | null = null;
        let version;
        if (m.version) {
          version = await app.db.modelVersion.findUnique({ where: { modelId_version: { modelId: model.id, version: m.version } } });
          if (!version) throw notFound(`version ${m.version} of model ${m.name}`);
        } else {
          const approval = await findApproved(app.db, model.id, { platform: m.platform, tier: m.tier, channel: m.channel });
          if (!approval) throw new AppError(422, 'unprocessable', `body.models: ${m.name} has no approved version for channel ${m.channel}${m.platform ? `, platform ${m.platform}` : ''}${m.tier ? `, tier ${m.tier}` : ''}; pin a version`);
          version = approval.modelVersion;
          approvalId = approval.id;
        }
        const out = toModelVersionOut(version, model.name, app.publicUrl());
        models.push({ name: model.name, version: out.version, sha256: out.sha256, sizeBytes: out.sizeBytes, format: out.format, downloadUrl: out.downloadUrl, approval: approvalId });
      }
      const find = () => app.db.releaseManifest.findUnique({ where: { app_appVersion: { app: appName, appVersion } } });
      const answerExisting = (existing: ReleaseManifest) => {
        const pinned = (existing.models as { name: string; sha256: string }[]).map((m) => [m.name, m.sha256]);
        if (!isDeepStrictEqual(pinned, models.map((m) => [m.name, m.sha256]))) {
          throw new AppError(409, 'conflict', `${appName} ${appVersion} already pins other model builds; release manifests are immutable`);
        }
        return reply.status(200).send(toReleaseManifestOut(existing));
      };
      const existing = await find();
      if (existing) return answerExisting(existing);
      const change = { topic: 'release', key: releaseKey(appName, appVersion) } as const;
      try {
        // replicas that cached "not found" for it drop that on commit
        const row = await app.db.$transaction(async (tx) => {
          const created = await tx.releaseManifest.create({ data: { app: appName, appVersion, models, createdBy: request.principal.name } });
          await announceChange(tx, change);
          return created;
        });
        changeCommitted(app.db, change);
        return reply.status(201).send(toReleaseManifestOut(row));
      } catch (err) {
        // a concurrent PUT created it first: answer as if it had been there
        const winner = uniqueViolation(err) ? await find() : null;
        if (winner) return answerExisting(winner);
        throw err;
      }
    },
  );

  // never changes once created, so caches anywhere may keep it; answered from the in-process cache
  app.get('/:app/:appVersion', { schema: { params: Params, response: { 200: ReleaseManifestOut } } }, async (request, reply) => {
    const answer = await releaseAnswer(app.db, app.readCaches.releases, request.params.app, request.params.appVersion);
    if (!answer.found) throw notFound(answer.message);
    return sendJsonAnswer(request, reply, answer, IMMUTABLE);
  });
};
export default releaseRoutes;
