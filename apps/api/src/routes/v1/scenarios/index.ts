import { Page, PageQuery, ScenarioOut, Slug, VersionName } from '@edgeproof/contracts';
import { toScenarioOut, type Scenario } from '@edgeproof/db';
import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { AppError, notFound } from '../../../errors.ts';
import { receiveFiles } from '../../../services/multi-upload.ts';
import { pageArgs, toPage } from '../../../services/pagination.ts';
import { checkUntrusted } from '../../../services/untrusted/pool.ts';
import { answerWith, rejectOversizedUpload, storeWithRow, withStaged } from '../../../services/upload.ts';

const VersionParams = z.strictObject({ name: Slug, version: VersionName });
const FILES = ['video', 'groundTruth', 'manifest'] as const;
const MANIFEST_MAX_BYTES = 1024 * 1024;
const GROUND_TRUTH_MAX_BYTES = 256 * 1024 * 1024;

/**
 * Scenarios: a Y4M video, its MOTChallenge ground truth and the manifest describing both
 * (`Scenario` in @edgeproof/contracts), uploaded together and versioned by the manifest's name and
 * version. The three are checked against each other before anything is stored.
 */
const scenarioRoutes: FastifyPluginAsyncZod = async (app) => {
  app.post(
    '/',
    { config: { roles: ['ml_engineer', 'ci'] }, schema: { consumes: ['multipart/form-data'], response: { 200: ScenarioOut, 201: ScenarioOut } } },
    async (request, reply) => {
      rejectOversizedUpload(request, app.artifacts.maxBytes);
      const { fields, files } = await receiveFiles(request, app.artifacts, FILES);
      const staged = FILES.map((f) => files[f]);
      return withStaged(app.artifacts, staged, async () => {
        const extra = Object.keys(fields);
        if (extra.length) throw new AppError(400, 'bad_request', `body.${extra[0]}: unknown field (send the files ${FILES.join(', ')}; name and version come from the manifest)`);
        if (files.manifest.sizeBytes > MANIFEST_MAX_BYTES) throw new AppError(413, 'payload_too_large', `body.manifest: larger than ${MANIFEST_MAX_BYTES} bytes`);
        if (files.groundTruth.sizeBytes > GROUND_TRUTH_MAX_BYTES) throw new AppError(413, 'payload_too_large', `body.groundTruth: larger than ${GROUND_TRUTH_MAX_BYTES} bytes`);
        const valid = await checkUntrusted({ kind: 'scenario', manifestPath: files.manifest.path, videoPath: files.video.path, groundTruthPath: files.groundTruth.path });
        const { name, version } = valid.manifest;
        const find = () => app.db.scenario.findUnique({ where: { name_version: { name, version } } });
        const answerExisting = (existing: Scenario) => {
          if (existing.videoSha256 !== files.video.sha256 || existing.groundTruthSha256 !== files.groundTruth.sha256) {
            throw new AppError(409, 'conflict', `scenario ${name} version ${version} already exists with different files`);
          }
          return answerWith(reply, 200, toScenarioOut(existing));
        };
        const existing = await find();
        if (existing) return answerExisting(existing);
        // the manifest is stored as a row; only the video and ground truth become blobs
        const row = await storeWithRow(app.db, app.artifacts, [files.video, files.groundTruth], (tx) =>
          tx.scenario.create({
            data: {
              name,
              version,
              fps: valid.manifest.fps,
              width: valid.manifest.width,
              height: valid.manifest.height,
              frameCount: valid.manifest.frameCount,
              groundTruthBoxes: valid.groundTruthBoxes,
              tracks: valid.tracks,
              videoSha256: files.video.sha256,
              videoSizeBytes: BigInt(files.video.sizeBytes),
              groundTruthSha256: files.groundTruth.sha256,
              manifest: valid.manifest as object,
              createdBy: request.principal.name,
            },
          }),
        );
        if (row) return answerWith(reply, 201, toScenarioOut(row));
        const winner = await find();
        if (!winner) throw new AppError(409, 'conflict', `scenario ${name} version ${version} was being created by a concurrent upload; retry`);
        return answerExisting(winner);
      });
    },
  );

  app.get('/', { schema: { querystring: PageQuery, response: { 200: Page(ScenarioOut) } } }, async (request) => {
    const rows = await app.db.scenario.findMany(pageArgs(request.query));
    return toPage(rows, request.query.limit, toScenarioOut);
  });

  app.get('/:name/versions/:version', { schema: { params: VersionParams, response: { 200: ScenarioOut } } }, async (request) => {
    const row = await app.db.scenario.findUnique({ where: { name_version: request.params } });
    if (!row) throw notFound(`scenario ${request.params.name} version ${request.params.version}`);
    return toScenarioOut(row);
  });
};
export default scenarioRoutes;
