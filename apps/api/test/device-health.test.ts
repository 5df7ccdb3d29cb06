import { AGENT_EPOCH_HEADER, type DeviceOut } from '@edgeproof/contracts';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { compareVersions, inVersionRange, ownedBy, selectDevices } from '../src/services/device-selection.ts';
import { startTestApi, TEST_AGENT, type TestApi } from './helpers.ts';

/** Quarantine rules through the real API and Postgres: heartbeats count failures, an admin releases. */
describe('device health, quarantine and release', () => {
  let t: TestApi;
  let agentId: string;
  let agentHeaders: Record<string, string> = {};
  const ids: Record<string, string> = {};

  const device = (localKey: string, extra: Record<string, unknown> = {}) => ({
    localKey,
    platform: 'android',
    driver: 'android',
    tier: 'mid',
    runtimes: ['onnxruntime-web/wasm'],
    ...extra,
  });

  beforeAll(async () => {
    t = await startTestApi({ QUARANTINE_AFTER_HEALTH_FAILURES: 3 });
    const res = await t.app.inject({
      method: 'POST',
      url: '/v1/agents/register',
      headers: t.auth('agent'),
      payload: {
        name: TEST_AGENT,
        devices: [
          device('android:A', { osVersion: '12', attributes: { team: 'vision' } }),
          device('android:B', { osVersion: '14', tags: ['team:audio'] }),
          device('android:C', { osVersion: '9' }),
        ],
      },
    });
    expect(res.statusCode).toBe(200);
    agentId = res.json().agentId;
    agentHeaders = { ...t.auth('agent'), [AGENT_EPOCH_HEADER]: String(res.json().epoch) };
    for (const d of res.json().devices as { id: string; localKey: string }[]) ids[d.localKey] = d.id;
  });
  afterAll(() => t.close());

  const beat = (devices: object[]) =>
    t.app.inject({ method: 'POST', url: `/v1/agents/${agentId}/heartbeat`, headers: agentHeaders, payload: { devices } });
  const get = async (key: string): Promise<DeviceOut> =>
    (await t.app.inject({ method: 'GET', url: `/v1/devices/${ids[key]}`, headers: t.auth('viewer') })).json();

  it('counts failed checks across heartbeats, resets on a healthy report, quarantines at the limit', async () => {
    expect((await beat([{ localKey: 'android:A', status: 'unhealthy', reason: 'battery at 12%, below 20%', healthFailures: 1 }])).statusCode).toBe(204);
    expect(await get('android:A')).toMatchObject({ status: 'unhealthy', statusReason: 'battery at 12%, below 20%', consecutiveHealthFailures: 1 });
    // unhealthy with no new check (cached) does not count again
    await beat([{ localKey: 'android:A', status: 'unhealthy', reason: 'battery at 12%, below 20%' }]);
    expect((await get('android:A')).consecutiveHealthFailures).toBe(1);
    // a passing check breaks the series
    await beat([{ localKey: 'android:A', status: 'idle' }]);
    expect(await get('android:A')).toMatchObject({ status: 'idle', statusReason: null, consecutiveHealthFailures: 0 });

    await beat([{ localKey: 'android:A', status: 'unhealthy', reason: 'Appium could not open a session', healthFailures: 2 }]);
    expect((await get('android:A')).status).toBe('unhealthy');
    await beat([{ localKey: 'android:A', status: 'unhealthy', reason: 'Appium could not open a session: no device', healthFailures: 1 }]);
    const quarantined = await get('android:A');
    expect(quarantined).toMatchObject({ status: 'quarantined', consecutiveHealthFailures: 3 });
    expect(quarantined.statusReason).toBe('quarantined after 3 failed health checks in a row; last: Appium could not open a session: no device');

    // the agent cannot lift it: a healthy heartbeat leaves the device quarantined
    await beat([{ localKey: 'android:A', status: 'idle' }]);
    expect((await get('android:A')).status).toBe('quarantined');
    const list = (await t.app.inject({ method: 'GET', url: '/v1/devices?status=quarantined', headers: t.auth('viewer') })).json();
    expect(list.items.map((d: DeviceOut) => d.localKey)).toEqual(['android:A']);
  });

  it('quarantined devices are not selected for runs', async () => {
    await expect(selectDevices(t.app.db, { ids: [ids['android:A']!], pick: 'all' }, 'onnx')).rejects.toThrow(/is quarantined: quarantined after 3/);
    const picked = await selectDevices(t.app.db, { platform: 'android', pick: 'all' }, 'onnx');
    expect(picked.map((d) => d.localKey).sort()).toEqual(['android:B', 'android:C']);
  });

  it('only an admin releases or quarantines; viewer and agent get 403 and change nothing', async () => {
    for (const role of ['viewer', 'agent', 'ml_engineer'] as const) {
      const r = await t.app.inject({ method: 'POST', url: `/v1/devices/${ids['android:A']}/release`, headers: t.auth(role) });
      expect(r.statusCode).toBe(403);
      expect(r.json().error.code).toBe('forbidden');
      const q = await t.app.inject({ method: 'POST', url: `/v1/devices/${ids['android:B']}/quarantine`, headers: t.auth(role), payload: { reason: 'x' } });
      expect(q.statusCode).toBe(403);
    }
    expect((await get('android:A')).status).toBe('quarantined');
    expect((await get('android:B')).status).not.toBe('quarantined');
  });

  it('an admin releases a quarantined device: idle, count reset, and it needs the full series again', async () => {
    const r = await t.app.inject({ method: 'POST', url: `/v1/devices/${ids['android:A']}/release`, headers: t.auth('admin') });
    expect(r.statusCode).toBe(200);
    expect(r.json()).toMatchObject({ status: 'idle', statusReason: null, consecutiveHealthFailures: 0 });
    await beat([{ localKey: 'android:A', status: 'unhealthy', reason: 'still broken', healthFailures: 1 }]);
    expect(await get('android:A')).toMatchObject({ status: 'unhealthy', consecutiveHealthFailures: 1 });
    // releasing what is not quarantined is a conflict
    const again = await t.app.inject({ method: 'POST', url: `/v1/devices/${ids['android:A']}/release`, headers: t.auth('admin') });
    expect(again.statusCode).toBe(409);
  });

  it('an admin quarantines by hand with a reason; a missing reason is 400 naming the field', async () => {
    const bad = await t.app.inject({ method: 'POST', url: `/v1/devices/${ids['android:C']}/quarantine`, headers: t.auth('admin'), payload: {} });
    expect(bad.statusCode).toBe(400);
    expect(bad.json().error.message).toMatch(/reason/);
    expect((await get('android:C')).status).not.toBe('quarantined');
    const ok = await t.app.inject({ method: 'POST', url: `/v1/devices/${ids['android:C']}/quarantine`, headers: t.auth('admin'), payload: { reason: 'cracked screen' } });
    expect(ok.statusCode).toBe(200);
    expect(ok.json()).toMatchObject({ status: 'quarantined', statusReason: 'quarantined by test-admin: cracked screen' });
    const missing = await t.app.inject({ method: 'POST', url: '/v1/devices/00000000-0000-4000-8000-000000000000/release', headers: t.auth('admin') });
    expect(missing.statusCode).toBe(404);
  });

  it('selects by OS version range and team', async () => {
    const byVersion = await selectDevices(t.app.db, { platform: 'android', osVersion: { min: '13' }, pick: 'all' }, 'onnx');
    expect(byVersion.map((d) => d.localKey)).toEqual(['android:B']);
    const byTeam = await selectDevices(t.app.db, { team: 'audio', pick: 'all' }, 'onnx');
    expect(byTeam.map((d) => d.localKey)).toEqual(['android:B']);
    await expect(selectDevices(t.app.db, { team: 'vision', osVersion: { max: '11' }, pick: 'all' }, 'onnx')).rejects.toThrow(/no online device matches .*"team":"vision"/);

    expect(compareVersions('12', '12.0.0')).toBe(0);
    expect(compareVersions('12.1', '12')).toBe(1);
    expect(compareVersions('9', '10')).toBe(-1);
    expect(inVersionRange('14', { min: '12', max: '14' })).toBe(true);
    expect(inVersionRange('8.1.0', { min: '9' })).toBe(false);
    expect(inVersionRange(null, { min: '9' })).toBe(false);
    expect(inVersionRange('Linux 6.1', { min: '1' })).toBe(false);
    expect(ownedBy({ attributes: { team: 'vision' }, tags: [] }, 'vision')).toBe(true);
    expect(ownedBy({ attributes: {}, tags: ['team:vision'] }, 'vision')).toBe(true);
    expect(ownedBy({ attributes: {}, tags: ['vision'] }, 'vision')).toBe(false);
  });

  it('the run selector validates the new filters', async () => {
    const res = await t.app.inject({
      method: 'POST',
      url: '/v1/runs',
      headers: t.auth('ml_engineer'),
      payload: { model: 'm', version: '1', devices: { osVersion: { min: 'twelve' } }, benchmarks: ['latency'] },
    });
    expect(res.statusCode).toBe(400);
    expect(res.json().error.message).toMatch(/devices\.osVersion\.min/);
  });
});
