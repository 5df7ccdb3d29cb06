/**
 * Tokens have a lifecycle: listed without secrets, revoked or expired tokens are 401 at once on
 * every API instance, and the bootstrap admin token is never silently restored.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { FastifyInstance } from 'fastify';
import { buildApp, type AppConfig } from '../../apps/api/src/app.ts';
import { newTokenValue } from '../../apps/api/src/services/tokens.ts';
import { startTestApi, type TestApi } from '../../apps/api/test/helpers.ts';
import { snapshot } from './support/snapshot.ts';

describe('token lifecycle', () => {
  let api: TestApi;
  let replica: FastifyInstance;
  const config = (overrides: Partial<AppConfig> = {}): AppConfig => ({
    DATABASE_URL: api.databaseUrl,
    REDIS_URL: api.redisUrl,
    LOG_LEVEL: 'silent',
    ARTIFACT_ROOT: api.artifactRoot,
    MAX_ARTIFACT_BYTES: 1024 * 1024,
    QUEUE_PREFIX: api.queuePrefix,
    HEARTBEAT_INTERVAL_MS: 1000,
    DEVICE_OFFLINE_AFTER_MS: 20_000,
    REROUTE_TIMEOUT_MS: 600_000,
    WATCHDOG_INTERVAL_MS: 1000,
    startWatchdog: false,
    ...overrides,
  });
  const create = (body: object, token = api.tokens.admin) =>
    api.app.inject({ method: 'POST', url: '/v1/tokens', headers: { authorization: `Bearer ${token}` }, payload: body });
  const whoami = (app: FastifyInstance, token: string) => app.inject({ method: 'GET', url: '/v1/whoami', headers: { authorization: `Bearer ${token}` } });

  beforeAll(async () => {
    api = await startTestApi();
    replica = await buildApp(config());
    await replica.ready();
  });
  afterAll(async () => {
    await replica.close();
    await api.close();
  });

  it('creates tokens only for admins, an agent token names its agent, and a bad body changes nothing', async () => {
    const before = await snapshot(api.app.db, api.artifactRoot);
    expect((await create({ name: 'x', role: 'viewer' }, api.tokens.ml_engineer)).statusCode).toBe(403);
    const noAgent = await create({ name: 'lab', role: 'agent' });
    expect(noAgent.statusCode).toBe(400);
    expect(noAgent.json().error.message).toMatch(/body\.agent: required for role agent/);
    expect((await create({ name: 'v', role: 'viewer', agent: 'lab' })).json().error.message).toMatch(/body\.agent: only agent tokens name an agent/);
    expect((await create({ name: 'old', role: 'viewer', expiresAt: '2020-01-01T00:00:00Z' })).json().error.message).toMatch(/body\.expiresAt: must be in the future/);
    expect(await snapshot(api.app.db, api.artifactRoot)).toEqual(before);

    const agent = await create({ name: 'lab-1 token', role: 'agent', agent: 'lab-1' });
    expect(agent.statusCode).toBe(201);
    expect(agent.json()).toMatchObject({ role: 'agent', agent: 'lab-1', expiresAt: null });
    expect((await whoami(api.app, agent.json().token)).json()).toMatchObject({ role: 'agent', agent: 'lab-1' });
  });

  it('lists tokens without their secrets, with who made them and when they were last used', async () => {
    expect((await api.app.inject({ method: 'GET', url: '/v1/tokens', headers: api.auth('ml_engineer') })).statusCode).toBe(403);
    const made = (await create({ name: 'listed', role: 'ci' })).json();
    await whoami(api.app, made.token);
    const res = await api.app.inject({ method: 'GET', url: '/v1/tokens', headers: api.auth('admin') });
    expect(res.statusCode).toBe(200);
    expect(res.body).not.toContain(made.token);
    expect(res.body).not.toMatch(/tokenHash|"token"/);
    const listed = res.json().items.find((t: { id: string }) => t.id === made.id);
    expect(listed).toMatchObject({ name: 'listed', role: 'ci', state: 'active', createdBy: 'test-admin (admin)', revokedAt: null });
    expect(Date.parse(listed.lastUsedAt)).toBeGreaterThan(Date.now() - 60_000);
  });

  it('a revoked token is 401 at once, on this API instance and on another one', async () => {
    const made = (await create({ name: 'to-revoke', role: 'ml_engineer' })).json();
    expect((await whoami(api.app, made.token)).statusCode).toBe(200);
    expect((await whoami(replica, made.token)).statusCode).toBe(200);
    expect((await api.app.inject({ method: 'POST', url: `/v1/tokens/${made.id}/revoke`, headers: api.auth('ci') })).statusCode).toBe(403);
    const revoked = await api.app.inject({ method: 'POST', url: `/v1/tokens/${made.id}/revoke`, headers: api.auth('admin') });
    expect(revoked.json()).toMatchObject({ state: 'revoked', revokedBy: 'test-admin (admin)' });
    const res = await whoami(api.app, made.token);
    expect(res.statusCode).toBe(401);
    expect(res.json().error.message).toBe('token is revoked');
    // the revoke answered after its notification came back through Postgres, which had by then sent it
    // to the other replica's listening connection too: that replica has it as soon as it reads its socket
    await expect
      .poll(async () => {
        const r = await whoami(replica, made.token);
        return [r.statusCode, r.json().error?.message];
      }, { timeout: 500, interval: 5 })
      .toEqual([401, 'token is revoked']);
    const again = await api.app.inject({ method: 'POST', url: `/v1/tokens/${made.id}/revoke`, headers: api.auth('admin') });
    expect(again.json().revokedAt).toBe(revoked.json().revokedAt);
  });

  it('an expired token is 401 from its expiry on', async () => {
    const made = (await create({ name: 'short-lived', role: 'viewer', expiresAt: new Date(Date.now() + 1_500).toISOString() })).json();
    expect((await whoami(replica, made.token)).statusCode).toBe(200);
    await new Promise((r) => setTimeout(r, 1_700));
    for (const app of [api.app, replica]) {
      const res = await whoami(app, made.token);
      expect(res.statusCode).toBe(401);
      expect(res.json().error.message).toBe('token is expired');
    }
  });

  it('the bootstrap admin token is created once and stays revoked across restarts; a short one is refused', async () => {
    const bootstrap = newTokenValue();
    const first = await buildApp(config({ EDGEPROOF_ADMIN_TOKEN: bootstrap }));
    await first.ready();
    const me = await whoami(first, bootstrap);
    expect(me.json()).toMatchObject({ name: 'bootstrap-admin', role: 'admin' });
    await first.inject({ method: 'POST', url: `/v1/tokens/${me.json().id}/revoke`, headers: { authorization: `Bearer ${bootstrap}` } });
    await first.close();
    const restarted = await buildApp(config({ EDGEPROOF_ADMIN_TOKEN: bootstrap }));
    await restarted.ready();
    expect((await whoami(restarted, bootstrap)).statusCode).toBe(401);
    await restarted.close();
    expect(await api.app.db.apiToken.count({ where: { name: 'bootstrap-admin' } })).toBe(1);
    await expect(buildApp(config({ EDGEPROOF_ADMIN_TOKEN: 'x'.repeat(31) })).then((a) => a.ready())).rejects.toThrow(/at least 32 characters/);
  });
});
