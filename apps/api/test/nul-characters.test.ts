import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestApi, TEST_AGENT, type TestApi } from './helpers.ts';

// found by test/security/fuzz.test.ts: PostgreSQL text cannot hold U+0000, and it used to reach the database as a 500
describe('NUL characters in text fields', () => {
  let t: TestApi;
  beforeAll(async () => {
    t = await startTestApi();
  });
  afterAll(() => t.close());

  const host = (tags: string[]) => ({ localKey: 'host', platform: 'linux', driver: 'host', tier: 'mid', tags, runtimes: ['onnxruntime-node'] });

  it('a device tag with U+0000 is 400 naming the field, and registers nothing', async () => {
    const payload = { name: TEST_AGENT, instanceId: randomUUID(), devices: [host(['ok', 'x\u0000'])] };
    const res = await t.app.inject({ method: 'POST', url: '/v1/agents/register', headers: t.auth('agent'), payload });
    expect(res.statusCode, res.body).toBe(400);
    expect(res.json().error).toMatchObject({ code: 'bad_request', message: expect.stringContaining('body.devices[0].tags[1]') });
    const devices = await t.app.inject({ method: 'GET', url: '/v1/devices', headers: t.auth('viewer') });
    expect(devices.json().items).toHaveLength(0);
  });

  it('a query value with U+0000 is 400 naming the parameter', async () => {
    const res = await t.app.inject({ method: 'GET', url: '/v1/runs?model=a%00b', headers: t.auth('viewer') });
    expect(res.statusCode, res.body).toBe(400);
    expect(res.json().error.message).toContain('query.model');
  });

  it('the same request without the NUL registers', async () => {
    const payload = { name: TEST_AGENT, instanceId: randomUUID(), devices: [host(['ok'])] };
    const res = await t.app.inject({ method: 'POST', url: '/v1/agents/register', headers: t.auth('agent'), payload });
    expect(res.statusCode, res.body).toBe(200);
  });
});
