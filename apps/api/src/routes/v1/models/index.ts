import { ModelCreate, ModelOut, ModelVersionOut, Page, PageQuery, Slug, VersionName, VersionUploadFields } from '@edgeproof/contracts';
import { toModelOut, toModelVersionOut, uniqueViolation, type ModelVersion } from '@edgeproof/db';
import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { AppError, notFound } from '../../../errors.ts';
import { pageArgs, toPage } from '../../../services/pagination.ts';
import { checkUntrusted } from '../../../services/untrusted/pool.ts';
import { answerWith, parseUploadFields, receiveUpload, rejectOversizedUpload, storeWithRow, withStaged } from '../../../services/upload.ts';

const writers = ['ml_engineer', 'ci'] as const;
const NameParams = z.strictObject({ name: Slug });
const VersionParams = z.strictObject({ name: Slug, version: VersionName });

const modelRoutes: FastifyPluginAsyncZod = async (app) => {
  const findModel = async (name: string) => {
    const model = await app.db.model.findUnique({ where: { name } });
    if (!model) throw notFound(`model ${name}`);
    return model;
  };
  const latestVersionName = async (modelId: string) =>
    (await app.db.modelVersion.findFirst({ where: { modelId }, orderBy: { createdAt: 'desc' }, select: { version: true } }))?.version ?? null;

  app.post('/', { config: { roles: writers }, schema: { body: ModelCreate, response: { 201: ModelOut } } }, async (request, reply) => {
    const taken = () => new AppError(409, 'conflict', `model ${request.body.name} already exists`);
    const existing = await app.db.model.findUnique({ where: { name: request.body.name } });
    if (existing) throw taken();
    const { description, ...rest } = request.body;
    try {
      const model = await app.db.model.create({
        data: { ...rest, description: description ?? null, createdBy: request.principal.name },
      });
      return reply.status(201).send(toModelOut(model, null));
    } catch (err) {
      // a concurrent request created it between the check and the insert
      if (uniqueViolation(err)) throw taken();
      throw err;
    }
  });

  app.get('/', { schema: { querystring: PageQuery, response: { 200: Page(ModelOut) } } }, async (request) => {
    const rows = await app.db.model.findMany(pageArgs(request.query));
    // the newest version of each model on the page, one row each (a nested `take` would load them all)
    const latest = await app.sql.query<{ modelId: string; version: string }>(
      'SELECT DISTINCT ON ("modelId") "modelId", version FROM "ModelVersion" WHERE "modelId" = ANY($1::uuid[]) ORDER BY "modelId", "createdAt" DESC, id DESC',
      [rows.map((m) => m.id)],
    );
    const versions = new Map(latest.rows.map((v) => [v.modelId, v.version]));
    return toPage(rows, request.query.limit, (m) => toModelOut(m, versions.get(m.id) ?? null));
  });

  app.get('/:name', { schema: { params: NameParams, response: { 200: ModelOut } } }, async (request) => {
    const model = await findModel(request.params.name);
    return toModelOut(model, await latestVersionName(model.id));
  });

  app.post(
    '/:name/versions',
    { config: { roles: writers }, schema: { params: NameParams, consumes: ['multipart/form-data'], response: { 200: ModelVersionOut, 201: ModelVersionOut } } },
    async (request, reply) => {
      const model = await findModel(request.params.name);
      rejectOversizedUpload(request, app.artifacts.maxBytes);
      const { fields, staged } = await receiveUpload(request, app.artifacts);
      return withStaged(app.artifacts, [staged], async () => {
        const { version, gitCommit } = parseUploadFields(VersionUploadFields, fields);
        const find = () => app.db.modelVersion.findUnique({ where: { modelId_version: { modelId: model.id, version } } });
        // the same bytes again are the stored version (200); other bytes under its name are a conflict
        const answerExisting = (existing: ModelVersion) => {
          if (existing.sha256 !== staged.sha256) {
            throw new AppError(409, 'conflict', `version ${version} of ${model.name} already exists with different bytes (sha256 ${existing.sha256})`, {
              existingSha256: existing.sha256,
              uploadedSha256: staged.sha256,
            });
          }
          return answerWith(reply, 200, toModelVersionOut(existing, model.name, app.publicUrl()));
        };
        const existing = await find();
        if (existing) return answerExisting(existing);
        const inspection = await checkUntrusted({ kind: 'model', path: staged.path });
        const row = await storeWithRow(app.db, app.artifacts, [staged], (tx) =>
          tx.modelVersion.create({
            data: {
              modelId: model.id,
              version,
              gitCommit: gitCommit ?? null,
              sha256: staged.sha256,
              sizeBytes: BigInt(staged.sizeBytes),
              gzipSizeBytes: BigInt(staged.gzipSizeBytes),
              format: inspection.format,
              signature: inspection.signature,
              createdBy: request.principal.name,
            },
          }),
        );
        if (row) return answerWith(reply, 201, toModelVersionOut(row, model.name, app.publicUrl()));
        const winner = await find();
        if (!winner) throw new AppError(409, 'conflict', `version ${version} of ${model.name} was being created by a concurrent upload; retry`);
        return answerExisting(winner);
      });
    },
  );

  app.get(
    '/:name/versions',
    { schema: { params: NameParams, querystring: PageQuery, response: { 200: Page(ModelVersionOut) } } },
    async (request) => {
      const model = await findModel(request.params.name);
      const rows = await app.db.modelVersion.findMany({ where: { modelId: model.id }, ...pageArgs(request.query) });
      return toPage(rows, request.query.limit, (v) => toModelVersionOut(v, model.name, app.publicUrl()));
    },
  );

  app.get('/:name/versions/:version', { schema: { params: VersionParams, response: { 200: ModelVersionOut } } }, async (request) => {
    const model = await findModel(request.params.name);
    const v = await app.db.modelVersion.findUnique({ where: { modelId_version: { modelId: model.id, version: request.params.version } } });
    if (!v) throw notFound(`version ${request.params.version} of model ${model.name}`);
    return toModelVersionOut(v, model.name, app.publicUrl());
  });

  app.get('/:name/versions/:version/download', { schema: { params: VersionParams } }, async (request, reply) => {
    const model = await findModel(request.params.name);
    const v = await app.db.modelVersion.findUnique({ where: { modelId_version: { modelId: model.id, version: request.params.version } } });
    if (!v) throw notFound(`version ${request.params.version} of model ${model.name}`);
    const { stream, sizeBytes } = await app.artifacts.openVerified(v.sha256);
    const ext = v.format === 'onnx' ? 'onnx' : 'tflite';
    return reply
      .header('content-type', 'application/octet-stream')
      .header('content-length', sizeBytes)
      .header('etag', `"${v.sha256}"`)
      .header('content-disposition', `attachment; filename="${model.name}-${v.version}.${ext}"`)
      .send(stream);
  });
};
export default modelRoutes;
