import { DashApprovals, DashDevices, DashModels, FeatureEvaluationDetail, FeatureEvaluationList, LatencyDistributions, RunProgress, Slug, TrendMetric, Trends, VersionComparison, VersionName, VersionPage } from '@edgeproof/contracts';
import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { dashboardApprovals } from '../../../services/dashboard/approvals.ts';
import { versionComparison } from '../../../services/dashboard/comparison.ts';
import { dashboardDevices } from '../../../services/dashboard/devices.ts';
import { DEFAULT_TIMELINE_POINTS, featureEvaluationDetail, featureEvaluationList } from '../../../services/dashboard/features.ts';
import { latencyDistributions } from '../../../services/dashboard/distributions.ts';
import { dashboardModels } from '../../../services/dashboard/models.ts';
import { runProgress } from '../../../services/dashboard/runs.ts';
import { trends } from '../../../services/dashboard/trends.ts';
import { versionPage } from '../../../services/dashboard/version.ts';

const VersionParams = z.strictObject({ name: Slug, version: VersionName });
const RunQuery = z.strictObject({ run: z.uuid().optional() });

/** Read-only, page-shaped views for apps/web (any authenticated role). Summaries only, never raw samples. */
const dashboardRoutes: FastifyPluginAsyncZod = async (app) => {
  app.get('/models', { schema: { response: { 200: DashModels } } }, async () => dashboardModels(app.db));

  app.get('/models/:name/versions/:version', { schema: { params: VersionParams, querystring: RunQuery, response: { 200: VersionPage } } }, async (request) =>
    versionPage(app.db, app.publicUrl(), request.params.name, request.params.version, request.query.run),
  );

  app.get(
    '/models/:name/versions/:version/latency-distributions',
    { schema: { params: VersionParams, querystring: RunQuery.extend({ bins: z.coerce.number().int().min(5).max(200).default(40) }), response: { 200: LatencyDistributions } } },
    async (request) => latencyDistributions(app.db, request.params.name, request.params.version, request.query.run, request.query.bins),
  );

  app.get('/models/:name/versions/:version/comparison', { schema: { params: VersionParams, querystring: RunQuery, response: { 200: VersionComparison } } }, async (request) =>
    versionComparison(app.db, request.params.name, request.params.version, request.query.run),
  );

  app.get(
    '/models/:name/trends',
    { schema: { params: z.strictObject({ name: Slug }), querystring: z.strictObject({ metric: TrendMetric.default('latency.p50') }), response: { 200: Trends } } },
    async (request) => trends(app.db, request.params.name, request.query.metric),
  );

  app.get('/runs/:id', { schema: { params: z.strictObject({ id: z.uuid() }), response: { 200: RunProgress } } }, async (request) => runProgress(app.db, request.params.id));

  app.get('/devices', { schema: { response: { 200: DashDevices } } }, async () => dashboardDevices(app.db));

  app.get('/approvals', { schema: { querystring: z.strictObject({ model: Slug.optional() }), response: { 200: DashApprovals } } }, async (request) =>
    dashboardApprovals(app.db, request.query.model),
  );

  app.get('/feature-evaluations', { schema: { response: { 200: FeatureEvaluationList } } }, async () => featureEvaluationList(app.db));

  app.get(
    '/feature-evaluations/:job',
    {
      schema: {
        params: z.strictObject({ job: z.uuid() }),
        querystring: z.strictObject({ points: z.coerce.number().int().min(10).max(2000).default(DEFAULT_TIMELINE_POINTS) }),
        response: { 200: FeatureEvaluationDetail },
      },
    },
    async (request) => featureEvaluationDetail(app.db, request.params.job, request.query.points),
  );
};
export default dashboardRoutes;
