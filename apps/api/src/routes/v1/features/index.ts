import { FeatureBuildOut, FeatureBuildUploadFields, Page, PageQuery, PinnedModels, Slug, VersionName } from '@edgeproof/contracts';
import { featureBuildInclude, toFeatureBuildOut } from '@edgeproof/db';
import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { AppError, notFound } from '../../../errors.ts';
import { pageArgs, toPage } from '../../../services/pagination.ts';
import { checkUntrusted } from '../../../services/untrusted/pool.ts';
import { answerWith, parseUploadFields, receiveUpload, rejectOversizedUpload, storeWithRow, withStaged } from '../../../services/upload.ts';

const VersionParams = z.strictObject({ name: Slug, version: VersionName });

/**
 * Feature builds: a web bundle implementing the feature contract, or an APK implementing the native
 * feature harness, versioned by name and content-addressed, with the model versions it uses pinned.
 */
const featureRoutes: FastifyPluginAsyncZod = async (app) => {
  app.post(
    '/',
    { config: { roles: ['ml_engineer', 'ci'] }, schema: { consumes: ['multipart/form-data'], response: { 200: FeatureBuildOut, 201: FeatureBuildOut } } },
    async (request, reply) => {
      rejectOversizedUpload(request, app.artifacts.maxBytes);
      const { fields, staged } = await receiveUpload(request, app.artifacts);
      return withStaged(app.artifacts, [staged], async () => {
        const { name, version, platform, gitCommit, description, models } = parseUploadFields(FeatureBuildUploadFields, fields);
        let modelsJson: unknown;
        try {
          modelsJson = JSON.parse(models);
        } catch {
          throw new AppError(400, 'bad_request', 'body.models: expected JSON like {"detector": {"model": "item-detector", "version": "1.0.0"}}');
        }
        const pins = { data: parseUploadFields(PinnedModels, modelsJson, 'body.models') };
        const find = () => app.db.featureBuild.findUnique({ where: { name_version: { name, version } }, include: featureBuildInclude });
        const answerExisting = (existing: NonNullable<Awaited<ReturnType<typeof find>>>) => {
          if (existing.sha256 !== staged.sha256) {
            throw new AppError(409, 'conflict', `feature ${name} version ${version} already exists with different bytes`, {
              existingSha256: existing.sha256,
              uploadedSha256: staged.sha256,
            });
          }
          return answerWith(reply, 200, toFeatureBuildOut(existing));
        };
        const existing = await find();
        if (existing) return answerExisting(existing);
        const pinned: Array<{ key: string; modelVersionId: string }> = [];
        for (const [key, pin] of Object.entries(pins.data)) {
          const mv = await app.db.modelVersion.findFirst({ where: { version: pin.version, model: { name: pin.model } } });
          if (!mv) throw new AppError(422, 'unprocessable', `models.${key}: model ${pin.model} has no version ${pin.version} (upload it first)`);
          pinned.push({ key, modelVersionId: mv.id });
        }
        await checkUntrusted({ kind: 'feature', path: staged.path, platform, sizeBytes: staged.sizeBytes });
        const row = await storeWithRow(app.db, app.artifacts, [staged], (tx) =>
          tx.featureBuild.create({
            data: {
              name,
              version,
              platform,
              sha256: staged.sha256,
              sizeBytes: BigInt(staged.sizeBytes),
              gitCommit: gitCommit ?? null,
              description: description ?? null,
              createdBy: request.principal.name,
              models: { create: pinned },
            },
            include: featureBuildInclude,
          }),
        );
        if (row) return answerWith(reply, 201, toFeatureBuildOut(row));
        const winner = await find();
        if (!winner) throw new AppError(409, 'conflict', `feature ${name} version ${version} was being created by a concurrent upload; retry`);
        return answerExisting(winner);
      });
    },
  );

  app.get('/', { schema: { querystring: PageQuery, response: { 200: Page(FeatureBuildOut) } } }, async (request) => {
    const rows = await app.db.featureBuild.findMany({ ...pageArgs(request.query), include: featureBuildInclude });
    return toPage(rows, request.query.limit, toFeatureBuildOut);
  });

  app.get('/:name/versions/:version', { schema: { params: VersionParams, response: { 200: FeatureBuildOut } } }, async (request) => {
    const row = await app.db.featureBuild.findUnique({ where: { name_version: request.params }, include: featureBuildInclude });
    if (!row) throw notFound(`feature ${request.params.name} version ${request.params.version}`);
    return toFeatureBuildOut(row);
  });

  app.get('/:name/versions/:version/download', { schema: { params: VersionParams } }, async (request, reply) => {
    const row = await app.db.featureBuild.findUnique({ where: { name_version: request.params } });
    if (!row) throw notFound(`feature ${request.params.name} version ${request.params.version}`);
    const { stream, sizeBytes } = await app.artifacts.openVerified(row.sha256);
    const type = row.platform === 'web' ? 'text/javascript; charset=utf-8' : 'application/vnd.android.package-archive';
    return reply.header('content-type', type).header('content-length', sizeBytes).header('etag', `"${row.sha256}"`).send(stream);
  });
};
export default featureRoutes;
