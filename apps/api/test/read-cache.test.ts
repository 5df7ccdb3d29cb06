/**
 * Two API instances on one Postgres and Redis, as two replicas: the approved build, release manifests
 * and token checks are answered from each instance's cache, and a change committed through either one
 * (or announced straight in SQL) reaches the other through LISTEN/NOTIFY, never through a timer.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createTestDatabase, testRedisUrl, uniqueQueuePrefix } from '@edgeproof/testkit';
import type { FastifyInstance, LightMyRequestResponse } from 'fastify';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildApp, type AppConfig } from '../src/app.ts';
import { CHANGE_CHANNEL } from '../src/services/cache/change-feed.ts';
import { ReadCache } from '../src/services/cache/read-cache.ts';
import { createToken, hashToken } from '../src/services/tokens.ts';

const APPROVED = '/v1/models/detector/approved?platform=android&tier=mid&channel=production';

/** Polls until `ok` holds (the notification is on its way), failing after `timeoutMs`. */
async function until<T>(what: string, probe: () => Promise<T>, ok: (v: T) => boolean, timeoutMs = 5_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const v = await probe();
    if (ok(v)) return v;
    if (Date.now() > deadline) throw new Error(`${what}: not within ${timeoutMs} ms (last: ${JSON.stringify(v)})`);
    await new Promise((r) => setTimeout(r, 5));
  }
}

describe('read caches across two API instances', () => {
  let database: { url: string; drop(): Promise<void> };
  let artifactRoot: string;
  let a: FastifyInstance;
  let b: FastifyInstance;
  let sql: pg.Client;
  let admin: string;
  let viewer: string;
  const versionIds: Record<string, string> = {};

  const get = (app: FastifyInstance, url: string, token = viewer, headers: Record<string, string> = {}) =>
    app.inject({ method: 'GET', url, headers: { authorization: `Bearer ${token}`, ...headers } });
  const version = (res: LightMyRequestResponse) => (res.statusCode === 200 ? (res.json() as { version: string }).version : res.statusCode);
  const approve = async (app: FastifyInstance, v: string) => {
    const res = await app.inject({
      method: 'POST',
      url: '/v1/approvals',
      headers: { authorization: `Bearer ${admin}` },
      payload: { model: 'detector', version: v, platform: 'android', tier: 'mid', channel: 'production', reason: 'test' },
    });
    expect(res.statusCode, res.body).toBe(201);
    return res.json() as { id: string };
  };

  beforeAll(async () => {
    database = await createTestDatabase();
    artifactRoot = await mkdtemp(join(tmpdir(), 'edgeproof-cache-'));
    const config: AppConfig = {
      DATABASE_URL: database.url,
      REDIS_URL: testRedisUrl(),
      LOG_LEVEL: 'silent',
      ARTIFACT_ROOT: artifactRoot,
      MAX_ARTIFACT_BYTES: 1024 * 1024,
      QUEUE_PREFIX: uniqueQueuePrefix(),
      HEARTBEAT_INTERVAL_MS: 1000,
      DEVICE_OFFLINE_AFTER_MS: 20_000,
      REROUTE_TIMEOUT_MS: 600_000,
      WATCHDOG_INTERVAL_MS: 1000,
      startWatchdog: false,
      // replicas behind one address: the same answer (and ETag) from either
      PUBLIC_URL: 'https://api.example.test',
    };
    a = await buildApp(config);
    b = await buildApp(config);
    await Promise.all([a.ready(), b.ready()]);
    sql = new pg.Client({ connectionString: database.url });
    await sql.connect();
    admin = (await createToken(a.db, { name: 'admin', role: 'admin' })).token;
    viewer = (await createToken(a.db, { name: 'viewer', role: 'viewer' })).token;
    const model = await a.db.model.create({ data: { name: 'detector', taskKind: 'detection', owner: 'vision', createdBy: 'test' } });
    for (const v of ['1.0.0', '1.1.0', '2.0.0']) {
      const row = await a.db.modelVersion.create({
        data: { modelId: model.id, version: v, sha256: v.replaceAll('.', '').padEnd(64, 'a'), sizeBytes: 100n, gzipSizeBytes: 90n, format: 'onnx', signature: {}, createdBy: 'test' },
      });
      versionIds[v] = row.id;
    }
  });

  afterAll(async () => {
    await sql?.end();
    await a?.close();
    await b?.close();
    await database?.drop();
    await rm(artifactRoot, { recursive: true, force: true });
  });

  it('an approval or revocation on A changes what B answers, through the notification alone', async () => {
    expect(a.readCaches.feed.live && b.readCaches.feed.live).toBe(true);
    // B caches "nothing approved" for the scope
    expect((await get(b, APPROVED)).statusCode).toBe(404);
    expect(b.readCaches.approved.size).toBe(1);
    await approve(a, '1.0.0');
    // A dropped its own entries on commit; B on the notification
    expect(version(await get(a, APPROVED))).toBe('1.0.0');
    await until('B sees 1.0.0', async () => version(await get(b, APPROVED)), (v) => v === '1.0.0');
    const second = await approve(a, '1.1.0');
    await until('B sees 1.1.0', async () => version(await get(b, APPROVED)), (v) => v === '1.1.0');

    // B answers from its cache: a change made in SQL without a notification is not seen...
    await sql.query(`UPDATE "Approval" SET "revokedAt" = now(), "revokedBy" = 'sql' WHERE id = $1`, [second.id]);
    for (let i = 0; i < 5; i++) expect(version(await get(b, APPROVED))).toBe('1.1.0');
    // ...until a notification says so (what every writer sends in its transaction)
    const received = b.readCaches.feed.received;
    await sql.query('SELECT pg_notify($1, $2)', [CHANGE_CHANNEL, JSON.stringify({ topic: 'approval', key: 'detector' })]);
    await until('B got the notification', async () => b.readCaches.feed.received, (n) => n > received);
    expect((await get(b, APPROVED)).statusCode).toBe(404);

    // a revocation through the API on B reaches A
    const third = await approve(b, '2.0.0');
    await until('A sees 2.0.0', async () => version(await get(a, APPROVED)), (v) => v === '2.0.0');
    const revoked = await b.inject({ method: 'POST', url: `/v1/approvals/${third.id}/revoke`, headers: { authorization: `Bearer ${admin}` }, payload: { reason: 'crashes' } });
    expect(revoked.statusCode, revoked.body).toBe(200);
    await until('A sees the revocation', async () => (await get(a, APPROVED)).statusCode, (s) => s === 404);
  });

  it('approved answers revalidate (no-cache + ETag); release manifests are immutable; 304s carry the same headers', async () => {
    await approve(a, '1.1.0');
    const first = await until('B sees 1.1.0', () => get(b, APPROVED), (r) => version(r) === '1.1.0');
    expect(first.headers['cache-control']).toBe('private, no-cache');
    expect(first.headers['content-type']).toMatch(/^application\/json/);
    const etag = first.headers.etag as string;
    expect(etag).toMatch(/^"[\w-]{32}"$/);
    expect((await get(a, APPROVED)).headers.etag).toBe(etag);
    const notModified = await get(b, APPROVED, viewer, { 'if-none-match': etag });
    expect(notModified.statusCode).toBe(304);
    expect(notModified.body).toBe('');
    expect(notModified.headers['cache-control']).toBe('private, no-cache');
    expect(first.json()).toMatchObject({ model: 'detector', version: '1.1.0', downloadUrl: 'https://api.example.test/v1/models/detector/versions/1.1.0/download', approval: { kind: 'override' } });

    const release = '/v1/releases/camera-app/3.0.0';
    // B caches "no such manifest"; its creation on A reaches B
    const missing = await get(b, release);
    expect(missing.statusCode).toBe(404);
    expect(missing.headers['cache-control']).toBeUndefined();
    const put = await a.inject({ method: 'PUT', url: release, headers: { authorization: `Bearer ${admin}` }, payload: { models: [{ name: 'detector', platform: 'android', tier: 'mid' }] } });
    expect(put.statusCode, put.body).toBe(201);
    const manifest = await until('B sees the manifest', () => get(b, release), (r) => r.statusCode === 200);
    expect(manifest.headers['cache-control']).toBe('public, max-age=31536000, immutable');
    expect(manifest.json()).toMatchObject({ app: 'camera-app', appVersion: '3.0.0', models: [{ name: 'detector', version: '1.1.0' }] });
    const again = await get(b, release, viewer, { 'if-none-match': manifest.headers.etag as string });
    expect(again.statusCode).toBe(304);
    expect(again.headers['cache-control']).toBe('public, max-age=31536000, immutable');
    expect((await get(a, release)).headers.etag).toBe(manifest.headers.etag);
    // an unknown model is never cached (its creation sends no notification)
    expect((await get(b, '/v1/models/nope/approved')).json().error.message).toBe('model nope not found');
  });

  it('a token revoked on A is refused by B at once; expiry is checked on every request; lastUsedAt is written once a minute', async () => {
    const created = await createToken(a.db, { name: 'ci-bot', role: 'ci' });
    for (let i = 0; i < 10; i++) expect((await get(b, APPROVED, created.token)).statusCode).toBe(200);
    const used = await a.db.apiToken.findUniqueOrThrow({ where: { id: created.id } });
    expect(used.lastUsedAt).not.toBeNull();
    await get(a, APPROVED, created.token);
    // one write per minute, whichever replica served the requests
    expect((await a.db.apiToken.findUniqueOrThrow({ where: { id: created.id } })).lastUsedAt).toEqual(used.lastUsedAt);

    const revoke = await a.inject({ method: 'POST', url: `/v1/tokens/${created.id}/revoke`, headers: { authorization: `Bearer ${admin}` } });
    expect(revoke.statusCode, revoke.body).toBe(200);
    const refusedByA = await get(a, APPROVED, created.token);
    expect(refusedByA.statusCode).toBe(401);
    expect(refusedByA.json().error.message).toBe('token is revoked');
    await until('B refuses the revoked token', async () => (await get(b, APPROVED, created.token)).statusCode, (s) => s === 401);
    for (let i = 0; i < 3; i++) expect((await get(b, APPROVED, created.token)).statusCode).toBe(401);

    const shortLived = await createToken(a.db, { name: 'short', role: 'viewer', expiresAt: new Date(Date.now() + 400) });
    expect((await get(b, APPROVED, shortLived.token)).statusCode).toBe(200);
    expect(b.readCaches.tokens.get(hashToken(shortLived.token), '')).toBeDefined();
    const expired = await until('B refuses the expired token', () => get(b, APPROVED, shortLived.token), (r) => r.statusCode === 401, 3_000);
    expect(expired.json().error.message).toBe('token is expired');
  });

  it('when the listening connection dies the cache is dropped, stays off while it is down, and is rebuilt after the reconnect', async () => {
    const current = await until('B answers 200', () => get(b, APPROVED), (r) => r.statusCode === 200);
    const approvalId = (current.json() as { approval: { id: string } }).approval.id;
    // a change no notification announces: B keeps its cached answer...
    await sql.query(`UPDATE "Approval" SET "revokedAt" = now(), "revokedBy" = 'sql' WHERE id = $1`, [approvalId]);
    expect((await get(b, APPROVED)).statusCode).toBe(200);
    // ...until its listener is gone: whatever it missed meanwhile, nothing cached is trusted
    const feed = b.readCaches.feed;
    const connects = feed.connects;
    const pid = feed.backendPid;
    expect(pid).toBeTypeOf('number');
    await sql.query('SELECT pg_terminate_backend($1)', [pid]);
    await until('B stops answering from the cache', async () => (await get(b, APPROVED)).statusCode, (s) => s === 404, 3_000);
    // while it is down, changes announced by A are not missed either: B reads the database
    const during = await approve(a, '2.0.0');
    await until('B sees 2.0.0', async () => version(await get(b, APPROVED)), (v) => v === '2.0.0', 3_000);
    await until('B listens again', async () => feed.connects, (n) => n > connects, 10_000);
    expect(feed.live).toBe(true);
    expect(feed.backendPid).not.toBe(pid);
    // rebuilt and trusted again: B caches, and an unannounced change goes unseen once more
    expect(version(await get(b, APPROVED))).toBe('2.0.0');
    await sql.query(`UPDATE "Approval" SET "revokedAt" = now(), "revokedBy" = 'sql' WHERE id = $1`, [during.id]);
    expect(version(await get(b, APPROVED))).toBe('2.0.0');
    // and notifications arrive on the new connection
    await approve(a, '1.0.0');
    await until('B sees 1.0.0', async () => version(await get(b, APPROVED)), (v) => v === '1.0.0');
  });
});

describe('ReadCache generations', () => {
  it('does not store what a read that began before an invalidation found; serves and stores nothing while its feed is down', () => {
    const feed = { live: true };
    const cache = new ReadCache<string>(feed, 3);
    // read begins, the change's notification is handled, then the read tries to store the old value
    const before = cache.ticket();
    cache.invalidate('detector');
    expect(cache.set(before, 'detector', 'scope', 'stale')).toBe(false);
    expect(cache.get('detector', 'scope')).toBeUndefined();
    const after = cache.ticket();
    expect(cache.set(after, 'detector', 'scope', 'fresh')).toBe(true);
    expect(cache.get('detector', 'scope')).toBe('fresh');
    // a reset (the feed reconnected) refuses every read that began before it
    const old = cache.ticket();
    cache.clear();
    expect(cache.set(old, 'other', 'scope', 'stale')).toBe(false);
    feed.live = false;
    expect(cache.set(cache.ticket(), 'other', 'scope', 'v')).toBe(false);
    feed.live = true;
    expect(cache.get('detector', 'scope')).toBeUndefined();
    // bounded: the oldest groups go first
    for (let i = 0; i < 5; i++) cache.set(cache.ticket(), `model-${i}`, 'scope', `v${i}`);
    expect(cache.size).toBe(3);
    expect(cache.get('model-0', 'scope')).toBeUndefined();
    expect(cache.get('model-4', 'scope')).toBe('v4');
  });
});
