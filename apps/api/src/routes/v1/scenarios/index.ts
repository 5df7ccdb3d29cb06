import { readFile } from 'node:fs/promises';
import { Page, PageQuery, ScenarioOut, Slug, VersionName } from '@edgeproof/contracts';
import { toScenarioOut } from '@edgeproof/db';
import { ScenarioValidationError, validateScenario } from '@edgeproof/scenes';
import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { AppError, notFound } from '../../../errors.ts';
import { commitAll, receiveFiles } from '../../../services/multi-upload.ts';
import { pageArgs, toPage } from '../../../services/pagination.ts';
import { rejectOversizedUpload } from '../../../services/upload.ts';

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
      let rollback: (() => Promise<void>) | undefined;
      try {
        const extra = Object.keys(fields);
        if (extra.length) throw new AppError(400, 'bad_request', `body.${extra[0]}: unknown field (send the files ${FILES.join(', ')}; name and version come from the manifest)`);
        if (files.manifest.sizeBytes > MANIFEST_MAX_BYTES) throw new AppError(413, 'payload_too_large', `body.manifest: larger than ${MANIFEST_MAX_BYTES} bytes`);
        if (files.groundTruth.sizeBytes > GROUND_TRUTH_MAX_BYTES) throw new AppError(413, 'payload_too_large', `body.groundTruth: larger than ${GROUND_TRUTH_MAX_BYTES} bytes`);
        let manifest: unknown;
        try {
          manifest = JSON.parse(await readFile(files.manifest.path, 'utf8'));
        } catch (err) {
          throw new AppError(422, 'unprocessable', `manifest: not valid JSON (${(err as Error).message})`, { field: 'manifest' });
        }
        let valid;
        try {
          valid = validateScenario({
            manifest,
            video: await readFile(files.video.path),
            groundTruthText: await readFile(files.groundTruth.path, 'utf8'),
          });
        } catch (err) {
          if (err instanceof ScenarioValidationError) {
            const line = /^line (\d+):/.exec(err.message.slice(err.field.length + 2))?.[1];
            throw new AppError(422, 'unprocessable', err.message, { field: err.field, ...(line ? { line: Number(line) } : {}) });
          }
          throw err;
        }
        const { name, version } = valid.manifest;
        const existing = await app.db.scenario.findUnique({ where: { name_version: { name, version } } });
        if (existing) {
          if (existing.videoSha256 !== files.video.sha256 || existing.groundTruthSha256 !== files.groundTruth.sha256) {
            throw new AppError(409, 'conflict', `scenario ${name} version ${version} already exists with different files`);
          }
          for (const s of staged) await app.artifacts.discard(s);
          return reply.status(200).send(toScenarioOut(existing));
        }
        // the manifest is stored as a row; only the video and ground truth become blobs
        await app.artifacts.discard(files.manifest);
        rollback = (await commitAll(app.artifacts, [files.video, files.groundTruth])).rollback;
        const row = await app.db.scenario.create({
          data: {
            name,
            version,
            fps: valid.manifest.fps,
            width: valid.manifest.width,
            height: valid.manifest.height,
            frameCount: valid.manifest.frameCount,
            groundTruthBoxes: valid.groundTruth.length,
            tracks: new Set(valid.groundTruth.map((r) => r.id)).size,
            videoSha256: files.video.sha256,
            videoSizeBytes: BigInt(files.video.sizeBytes),
            groundTruthSha256: files.groundTruth.sha256,
            manifest: valid.manifest as object,
            createdBy: request.principal.name,
          },
        });
        return reply.status(201).send(toScenarioOut(row));
      } catch (err) {
        if (rollback) await rollback();
        else for (const s of staged) await app.artifacts.discard(s);
        throw err;
      }
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
