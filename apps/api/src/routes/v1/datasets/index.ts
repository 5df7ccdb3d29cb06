import { DatasetOut, DatasetUploadFields, Page, PageQuery, Slug, VersionName } from '@edgeproof/contracts';
import { toDatasetOut, type Dataset } from '@edgeproof/db';
import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { AppError, notFound } from '../../../errors.ts';
import { pageArgs, toPage } from '../../../services/pagination.ts';
import { checkUntrusted } from '../../../services/untrusted/pool.ts';
import { answerWith, parseUploadFields, receiveUpload, rejectOversizedUpload, storeWithRow, withStaged } from '../../../services/upload.ts';

const VersionParams = z.strictObject({ name: Slug, version: VersionName });

const datasetRoutes: FastifyPluginAsyncZod = async (app) => {
  app.post(
    '/',
    { config: { roles: ['ml_engineer', 'ci'] }, schema: { consumes: ['multipart/form-data'], response: { 200: DatasetOut, 201: DatasetOut } } },
    async (request, reply) => {
      rejectOversizedUpload(request, app.artifacts.maxBytes);
      const { fields, staged } = await receiveUpload(request, app.artifacts);
      return withStaged(app.artifacts, [staged], async () => {
        const { name, version } = parseUploadFields(DatasetUploadFields, fields);
        const find = () => app.db.dataset.findUnique({ where: { name_version: { name, version } } });
        const answerExisting = (existing: Dataset) => {
          if (existing.sha256 !== staged.sha256) {
            throw new AppError(409, 'conflict', `dataset ${name} version ${version} already exists with different bytes`, {
              existingSha256: existing.sha256,
              uploadedSha256: staged.sha256,
            });
          }
          return answerWith(reply, 200, toDatasetOut(existing));
        };
        const existing = await find();
        if (existing) return answerExisting(existing);
        const checked = await checkUntrusted({ kind: 'dataset', path: staged.path });
        const row = await storeWithRow(app.db, app.artifacts, [staged], (tx) =>
          tx.dataset.create({
            data: {
              name,
              version,
              taskKind: checked.header.taskKind,
              sha256: staged.sha256,
              sizeBytes: BigInt(staged.sizeBytes),
              sampleCount: checked.sampleCount,
              schema: checked.header,
              createdBy: request.principal.name,
            },
          }),
        );
        if (row) return answerWith(reply, 201, toDatasetOut(row));
        const winner = await find();
        if (!winner) throw new AppError(409, 'conflict', `dataset ${name} version ${version} was being created by a concurrent upload; retry`);
        return answerExisting(winner);
      });
    },
  );

  app.get('/', { schema: { querystring: PageQuery, response: { 200: Page(DatasetOut) } } }, async (request) => {
    const rows = await app.db.dataset.findMany(pageArgs(request.query));
    return toPage(rows, request.query.limit, toDatasetOut);
  });

  app.get('/:name/versions/:version', { schema: { params: VersionParams, response: { 200: DatasetOut } } }, async (request) => {
    const row = await app.db.dataset.findUnique({ where: { name_version: request.params } });
    if (!row) throw notFound(`dataset ${request.params.name} version ${request.params.version}`);
    return toDatasetOut(row);
  });
};
export default datasetRoutes;
