import { Validator } from '@seriousme/openapi-schema-validator';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { canonicalUrl, routeCatalog } from '../src/plugins/openapi.ts';
import { startTestApi, type TestApi } from './helpers.ts';

interface Operation {
  operationId?: string;
  tags?: string[];
  requestBody?: { content: Record<string, { schema: { properties?: Record<string, { format?: string }>; required?: string[] } }> };
  responses: Record<string, { content?: Record<string, { schema: { properties?: Record<string, unknown> } }> }>;
}
interface Doc {
  openapi: string;
  paths: Record<string, Record<string, Operation>>;
  tags: { name: string }[];
}

let api: TestApi;
let doc: Doc;
const operations = () => Object.entries(doc.paths).flatMap(([path, ops]) => Object.entries(ops).map(([method, op]) => ({ path, method, op })));

beforeAll(async () => {
  api = await startTestApi();
  const res = await api.app.inject({ method: 'GET', url: '/docs/json' });
  expect(res.statusCode).toBe(200);
  doc = res.json<Doc>();
});
afterAll(async () => {
  await api?.close();
});

describe('the OpenAPI document (/docs/json)', () => {
  it('is a valid OpenAPI 3.1 document', async () => {
    const validator = new Validator();
    const result = await validator.validate(doc as unknown as Record<string, unknown>);
    expect(result.errors ?? []).toEqual([]);
    expect(result.valid).toBe(true);
    expect(validator.version).toBe('3.1');
  });

  it('documents every route the API serves (but the health checks, the docs and the dashboard files)', () => {
    const served = new Set(routeCatalog(api.app).filter((r) => !r.hidden).map((r) => `${r.method} ${canonicalUrl(r.url).replace(/:([A-Za-z0-9_]+)/g, '{$1}')}`));
    expect(served.size).toBeGreaterThan(50);
    const documented = new Set(operations().map((o) => `${o.method.toUpperCase()} ${o.path}`));
    expect([...served].filter((k) => !documented.has(k))).toEqual([]);
    expect([...documented].filter((k) => !served.has(k))).toEqual([]);
  });

  it('gives every operation a unique operationId and a declared tag', () => {
    const ids = operations().map((o) => o.op.operationId);
    expect(ids.every((id) => typeof id === 'string' && /^[a-z][A-Za-z0-9]+$/.test(id))).toBe(true);
    expect(new Set(ids).size).toBe(ids.length);
    const tags = new Set(doc.tags.map((t) => t.name));
    for (const { op } of operations()) expect(op.tags?.every((t) => tags.has(t)), op.operationId).toBe(true);
    const byRoute = Object.fromEntries(operations().map((o) => [`${o.method.toUpperCase()} ${o.path}`, o.op.operationId]));
    expect(byRoute).toMatchObject({
      'GET /v1/models': 'listModels',
      'POST /v1/models': 'createModel',
      'GET /v1/models/{name}': 'getModel',
      'POST /v1/models/{name}/versions': 'createModelVersion',
      'GET /v1/models/{name}/versions/{version}/download': 'downloadModelVersion',
      'POST /v1/runs': 'createRun',
      'GET /v1/runs/{id}': 'getRun',
      'POST /v1/gates/{id}/reevaluate': 'reevaluateGate',
      'POST /v1/agent/jobs/{jobId}/result': 'postAgentJobResult',
      'GET /v1/audit': 'listAudit',
      'GET /v1/dashboard/models/{name}/trends': 'getDashboardModelTrends',
    });
  });

  it('lists every error status with the error schema', () => {
    for (const { op, path, method } of operations()) {
      const errors = Object.entries(op.responses).filter(([status]) => /^[45]/.test(status));
      expect(errors.map(([s]) => s), `${method} ${path}`).toContain('400');
      expect(errors.map(([s]) => s), `${method} ${path}`).toContain('500');
      for (const [, r] of errors) expect(r.content?.['application/json']?.schema.properties, `${method} ${path}`).toHaveProperty('error');
    }
    const upload = doc.paths['/v1/models/{name}/versions']?.post;
    expect(Object.keys(upload?.responses ?? {})).toEqual(expect.arrayContaining(['200', '201', '400', '401', '403', '404', '409', '413', '422', '500']));
    expect(Object.keys(doc.paths['/v1/models']?.get?.responses ?? {})).not.toContain('404');
  });

  it('describes multipart bodies with their fields', () => {
    const body = (path: string) => doc.paths[path]?.post?.requestBody?.content['multipart/form-data']?.schema;
    expect(body('/v1/models/{name}/versions')).toMatchObject({ properties: { file: { format: 'binary' }, version: {}, gitCommit: {} }, required: expect.arrayContaining(['file', 'version']) });
    expect(body('/v1/datasets')).toMatchObject({ properties: { file: { format: 'binary' }, name: {}, version: {} } });
    expect(body('/v1/scenarios')?.required).toEqual(expect.arrayContaining(['video', 'groundTruth', 'manifest']));
    expect(body('/v1/features')).toMatchObject({ properties: { file: { format: 'binary' }, models: {}, platform: {} } });
  });
});
