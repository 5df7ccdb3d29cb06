import type { FastifyDynamicSwaggerOptions } from '@fastify/swagger';
import { DatasetUploadFields, ErrorBody, FeatureBuildUploadFields, VersionUploadFields } from '@edgeproof/contracts';
import type { FastifyInstance, RouteOptions } from 'fastify';
import { jsonSchemaTransform } from 'fastify-type-provider-zod';
import { z } from 'zod';

/**
 * The OpenAPI document, fit for client generators, filled in generically from the routes as they
 * are: an operationId and a tag for each operation, every error status it can answer with the one
 * error schema, and the fields of multipart bodies (which the routes read by hand). The error
 * responses live in the document only: put on the routes, they would become serializers.
 */

const TAG_OF: Record<string, string> = { agent: 'agents', whoami: 'tokens', audit: 'approvals', 'noise-floor': 'gates' };

export const TAGS = [
  { name: 'models', description: 'models, versions (multipart uploads), downloads, stored policies, approved versions' },
  { name: 'datasets', description: 'labelled evaluation sets (edgeproof-dataset/v1)' },
  { name: 'runs', description: 'evaluations: one job per device × benchmark × version' },
  { name: 'gates', description: 'release gates under a policy, and the noise floor' },
  { name: 'approvals', description: 'approvals, revocations and the audit log' },
  { name: 'releases', description: 'release manifests pinning several models' },
  { name: 'populations', description: 'user populations mapped to lab devices' },
  { name: 'devices', description: 'devices with live status; quarantine and release' },
  { name: 'agents', description: 'agents only: registration, heartbeats and the job protocol (docs/adr/0005)' },
  { name: 'artifacts', description: 'agents only: the stored files their jobs read' },
  { name: 'tokens', description: 'API tokens and who a token is' },
  { name: 'dashboard', description: 'read-only views for the dashboard' },
  { name: 'features', description: 'camera-feature builds (multipart uploads)' },
  { name: 'scenarios', description: 'labelled camera scenes (multipart uploads)' },
];

/** Last segment → operation verb, for routes that do something to the resource before them. */
const ACTIONS: Record<string, [verb: string, suffix: string]> = {
  cancel: ['cancel', ''],
  revoke: ['revoke', ''],
  release: ['release', ''],
  quarantine: ['quarantine', ''],
  reevaluate: ['reevaluate', ''],
  register: ['register', ''],
  heartbeat: ['send', 'Heartbeat'],
  next: ['next', ''],
  lock: ['renew', 'Lock'],
  start: ['start', ''],
  result: ['post', 'Result'],
  failure: ['post', 'Failure'],
  download: ['download', ''],
};

/** Whether a GET of this last segment lists things (default: it ends in "s"). */
const COLLECTION: Record<string, boolean> = { 'latency-distributions': false, trends: false, audit: true };
const isCollection = (segment: string) => COLLECTION[segment] ?? segment.endsWith('s');

const binary = () => z.file().meta({ description: 'file contents' });

/** Multipart bodies, by route: the routes stream files to disk themselves, so their schema has no body. */
const MULTIPART: Record<string, z.ZodObject> = {
  'POST /v1/models/:name/versions': VersionUploadFields.extend({ file: binary().meta({ description: 'the ONNX or TFLite file' }) }),
  'POST /v1/datasets': DatasetUploadFields.extend({ file: binary().meta({ description: 'edgeproof-dataset/v1 JSON Lines' }) }),
  'POST /v1/features': FeatureBuildUploadFields.extend({
    models: FeatureBuildUploadFields.shape.models.meta({ description: 'JSON {"<key>": {"model", "version"}}' }),
    file: binary().meta({ description: 'the web bundle or Android APK' }),
  }),
  'POST /v1/scenarios': z.strictObject({
    video: binary().meta({ description: 'Y4M 4:2:0' }),
    groundTruth: binary().meta({ description: 'MOTChallenge text' }),
    manifest: binary().meta({ description: 'JSON: Scenario (name and version come from here)' }),
  }),
};

const ERRORS: Record<number, string> = {
  400: 'bad_request: the message names the field (e.g. body.settings.threads)',
  401: 'unauthorized: no token, or an unknown, revoked or expired one',
  403: "forbidden: the token's role may not do this",
  404: 'not_found',
  409: 'conflict (agents: superseded, when another instance took over)',
  413: 'payload_too_large',
  422: 'invalid_model, invalid_dataset or unprocessable',
  500: 'internal (never carries internals)',
};

const singular = (w: string) => (w.endsWith('ies') ? `${w.slice(0, -3)}y` : w.endsWith('s') && !w.endsWith('ss') ? w.slice(0, -1) : w);
const pascal = (w: string) => w.replace(/(^|[-_])([a-z0-9])/g, (_m, _sep, c: string) => c.toUpperCase());

const segmentsOf = (url: string) => url.replace(/^\/v1\//, '').split('/').filter(Boolean);

/** GET /v1/models/:name/versions → listModelVersions; POST /v1/runs/:id/cancel → cancelRun. */
export function operationIdFor(method: string, url: string): string {
  const segs = segmentsOf(url);
  const words = segs.map((s, i) => (s.startsWith(':') ? null : segs[i + 1]?.startsWith(':') ? singular(s) : s)).filter((w): w is string => w !== null);
  const last = segs.at(-1) ?? '';
  const action = !last.startsWith(':') && segs.length > 1 ? ACTIONS[last] : undefined;
  if (action) return `${action[0]}${words.slice(0, -1).map((w) => pascal(singular(w))).join('')}${action[1]}`;
  const name = words.map(pascal).join('');
  if (last.startsWith(':')) return `${method.toLowerCase()}${name}`;
  if (method === 'GET') return isCollection(last) ? `list${name}` : `get${name}`;
  if (method === 'POST') return `create${words.map((w) => pascal(singular(w))).join('')}`;
  return `${method.toLowerCase()}${name}`;
}

export function tagFor(url: string): string {
  const first = segmentsOf(url)[0] ?? 'api';
  return TAG_OF[first] ?? first;
}

function errorStatuses(method: string, url: string, route: RouteOptions, multipart: boolean): number[] {
  const writes = method !== 'GET' && method !== 'HEAD';
  const statuses = [400];
  if (!route.config?.public) statuses.push(401, 403);
  if (url.includes(':')) statuses.push(404);
  if (writes) statuses.push(409);
  if (multipart || (writes && route.schema?.body)) statuses.push(413);
  if (multipart || (writes && route.schema?.body)) statuses.push(422);
  statuses.push(500);
  return statuses;
}

type SwaggerTransform = NonNullable<FastifyDynamicSwaggerOptions['transform']>;

/** The zod → JSON Schema transform, after the generic additions above. */
export const openApiTransform: SwaggerTransform = (document) => {
  const { schema, route } = document as Parameters<SwaggerTransform>[0] & { route: RouteOptions };
  const method = (Array.isArray(route.method) ? route.method[0] : route.method) ?? 'GET';
  // a prefix's own route ("/v1/runs/"): documented without the slash, as clients call it
  const url = canonicalUrl(document.url);
  if (!schema || schema.hide) return { schema: { ...schema, hide: true }, url };
  const multipartBody = MULTIPART[`${method} ${url}`];
  const response: Record<string, unknown> = { ...(schema.response as Record<string, unknown> | undefined) };
  for (const status of errorStatuses(method, url, route, multipartBody !== undefined)) {
    response[status] ??= { description: ERRORS[status], content: { 'application/json': { schema: ErrorBody } } };
  }
  const transformed = jsonSchemaTransform({
    ...document,
    url,
    schema: {
      ...schema,
      operationId: schema.operationId ?? operationIdFor(method, url),
      tags: schema.tags ?? [tagFor(url)],
      ...(multipartBody ? { body: multipartBody } : {}),
      response,
    },
  });
  return { ...transformed, url };
};

export const canonicalUrl = (url: string): string => (url.length > 1 ? url.replace(/\/+$/, '') : url);

export const swaggerOptions: FastifyDynamicSwaggerOptions = {
  openapi: {
    openapi: '3.1.0',
    info: { title: 'edgeproof API', version: '0.1.0', description: 'Evaluate on-device models on real devices and gate their release.' },
    components: { securitySchemes: { bearer: { type: 'http', scheme: 'bearer' } } },
    security: [{ bearer: [] }],
    tags: TAGS,
  },
  transform: openApiTransform,
};

export interface CatalogedRoute {
  method: string;
  url: string;
  hidden: boolean;
}

const catalogs = new WeakMap<FastifyInstance, CatalogedRoute[]>();

/** Records every route registered from now on (the OpenAPI test checks each is documented). */
export function catalogRoutes(app: FastifyInstance): void {
  const routes: CatalogedRoute[] = [];
  catalogs.set(app, routes);
  app.addHook('onRoute', (r) => {
    for (const method of Array.isArray(r.method) ? r.method : [r.method]) {
      if (method !== 'HEAD') routes.push({ method, url: r.url, hidden: Boolean(r.schema?.hide) });
    }
  });
}

export const routeCatalog = (app: FastifyInstance): CatalogedRoute[] => catalogs.get(app) ?? [];
