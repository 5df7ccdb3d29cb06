import { PopulationMappingOut, PopulationOut, PopulationPut, Slug, type PopulationEntry } from '@edgeproof/contracts';
import { toPopulationOut } from '@edgeproof/db';
import { mapPopulation, parsePopulationCsv, PopulationError } from '@edgeproof/gating';
import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { AppError, notFound } from '../../../errors.ts';

const NameParams = z.strictObject({ name: Slug });

/** User device populations (device model → share of users) and their mapping onto lab devices. */
const populationRoutes: FastifyPluginAsyncZod = async (app) => {
  app.put(
    '/:name',
    { config: { roles: ['ml_engineer', 'ci'] }, schema: { params: NameParams, body: PopulationPut, response: { 200: PopulationOut } } },
    async (request) => {
      let entries: PopulationEntry[];
      if ('csv' in request.body) {
        try {
          entries = parsePopulationCsv(request.body.csv);
        } catch (err) {
          if (err instanceof PopulationError) throw new AppError(400, 'bad_request', `body.csv: ${err.message}`);
          throw err;
        }
      } else {
        entries = request.body.entries;
      }
      if (entries.reduce((s, e) => s + e.share, 0) <= 0) throw new AppError(400, 'bad_request', 'body: the shares sum to 0');
      const row = await app.db.devicePopulation.upsert({
        where: { name: request.params.name },
        create: { name: request.params.name, entries: entries as object[], createdBy: request.principal.name },
        update: { entries: entries as object[], createdBy: request.principal.name },
      });
      return toPopulationOut(row);
    },
  );

  app.get('/:name', { schema: { params: NameParams, response: { 200: PopulationOut } } }, async (request) => {
    const row = await app.db.devicePopulation.findUnique({ where: { name: request.params.name } });
    if (!row) throw notFound(`population ${request.params.name}`);
    return toPopulationOut(row);
  });

  app.get('/:name/mapping', { schema: { params: NameParams, response: { 200: PopulationMappingOut } } }, async (request) => {
    const row = await app.db.devicePopulation.findUnique({ where: { name: request.params.name } });
    if (!row) throw notFound(`population ${request.params.name}`);
    const devices = await app.db.device.findMany({ where: { status: { notIn: ['quarantined'] } }, orderBy: { createdAt: 'asc' } });
    return mapPopulation(row.name, toPopulationOut(row).entries, devices);
  });
};
export default populationRoutes;
