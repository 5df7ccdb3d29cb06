import { testRedisUrl, uniqueQueuePrefix } from '@edgeproof/testkit';
import { Redis } from 'ioredis';
import { afterEach, describe, expect, it } from 'vitest';
import { raiseAgentEpoch } from '../src/agent-epoch.ts';
import { DeviceLeases, LeaseFencedError } from '../src/device-lease.ts';

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

describe('device leases in Redis', () => {
  const conns: Redis[] = [];
  const connect = () => {
    const r = new Redis(testRedisUrl(), { maxRetriesPerRequest: 1, retryStrategy: () => null });
    conns.push(r);
    return r;
  };
  afterEach(async () => {
    for (const c of conns.splice(0)) c.disconnect();
  });

  it('one holder at a time; only the holder releases; then another can take it', async () => {
    const prefix = uniqueQueuePrefix();
    const a = new DeviceLeases(connect(), { prefix, ttlMs: 2_000 });
    const b = new DeviceLeases(connect(), { prefix, ttlMs: 2_000 });
    const lease = await a.acquire('android:R58M', 'agent-a/job-1');
    expect(lease).not.toBeNull();
    expect(await b.acquire('android:R58M', 'agent-b/job-2')).toBeNull();
    expect(await b.holder('android:R58M')).toMatchObject({ holder: 'agent-a/job-1' });
    // a different device is free
    const other = await b.acquire('android:ZY22', 'agent-b/job-3');
    expect(other).not.toBeNull();

    expect(await lease!.release()).toBe(true);
    expect(await lease!.release()).toBe(false);
    const next = await b.acquire('android:R58M', 'agent-b/job-2');
    expect(next).not.toBeNull();
    await next!.release();
    await other!.release();
    expect(await a.holder('android:R58M')).toBeNull();
  });

  it('a renewed lease outlives its TTL; a lease whose holder died expires by itself', async () => {
    const prefix = uniqueQueuePrefix();
    const alive = new DeviceLeases(connect(), { prefix, ttlMs: 600, renewEveryMs: 150 });
    const kept = await alive.acquire('phone-1', 'agent-a');
    await sleep(1_500); // well past the TTL: renewals kept it
    expect(kept!.lost).toBe(false);
    expect(await alive.holder('phone-1')).toMatchObject({ holder: 'agent-a' });
    await kept!.release();

    // the holder's agent dies: its connection is gone, nothing renews or releases the lease
    const doomedConn = connect();
    const doomed = new DeviceLeases(doomedConn, { prefix, ttlMs: 600, renewEveryMs: 150 });
    const orphan = await doomed.acquire('phone-1', 'agent-dead');
    expect(orphan).not.toBeNull();
    doomedConn.disconnect();
    const other = new DeviceLeases(connect(), { prefix, ttlMs: 600 });
    expect(await other.acquire('phone-1', 'agent-b')).toBeNull();
    expect(await other.acquire('phone-1', 'agent-dead-too')).toBeNull(); // a prefix of the name is someone else
    await sleep(800);
    const taken = await other.acquire('phone-1', 'agent-b');
    expect(taken).not.toBeNull();
    await taken!.release();
    await orphan!.release().catch(() => undefined); // stops its renewal timer; its Redis is gone
  });

  it('a restarted agent waits for its dead process\'s lease to expire: nothing proves that process stopped', async () => {
    const prefix = uniqueQueuePrefix();
    const deadConn = connect();
    const before = await new DeviceLeases(deadConn, { prefix, ttlMs: 700 }).acquire('phone-3', 'agent-a/slot-1', { agent: 'agent-a', epoch: 1 });
    expect(before).not.toBeNull();
    deadConn.disconnect();
    const restarted = new DeviceLeases(connect(), { prefix, ttlMs: 700 });
    expect(await restarted.acquire('phone-3', 'agent-a/slot-1', { agent: 'agent-a', epoch: 2 })).toBeNull();
    await sleep(900);
    const again = await restarted.acquire('phone-3', 'agent-a/slot-1', { agent: 'agent-a', epoch: 2 });
    expect(again).not.toBeNull();
    expect(await restarted.holder('phone-3')).toMatchObject({ holder: 'agent-a/slot-1', epoch: 2 });
    await again!.release();
    await before!.release().catch(() => undefined);
  });

  it('a superseded process can neither take a device nor keep the one it holds, and is told so', async () => {
    const prefix = uniqueQueuePrefix();
    const oldLeases = new DeviceLeases(connect(), { prefix, ttlMs: 5_000, renewEveryMs: 1_000 });
    const newLeases = new DeviceLeases(connect(), { prefix, ttlMs: 5_000, renewEveryMs: 1_000 });
    const held = await oldLeases.acquire('phone-4', 'agent-a/slot', { agent: 'agent-a', epoch: 3 });
    const lost: string[] = [];
    held!.onLost((r) => lost.push(r));
    // the new instance (epoch 4) announces itself; the device stays with the old lease until it is given back
    await raiseAgentEpoch(connect(), prefix, 'agent-a', 4);
    expect(await newLeases.acquire('phone-4', 'agent-a/slot', { agent: 'agent-a', epoch: 4 })).toBeNull();
    expect(await held!.renew()).toBe(false);
    expect(held!.lost).toBe(true);
    expect(lost[0]).toMatch(/superseded/);
    await expect(oldLeases.acquire('phone-5', 'agent-a/slot', { agent: 'agent-a', epoch: 3 })).rejects.toThrow(LeaseFencedError);
    expect(await held!.release()).toBe(true);
    const taken = await newLeases.acquire('phone-4', 'agent-a/slot', { agent: 'agent-a', epoch: 4 });
    expect(taken).not.toBeNull();
    await taken!.release();
    // epochs never go down
    expect(await raiseAgentEpoch(connect(), prefix, 'agent-a', 2)).toBe(4);
    const history = await newLeases.history();
    expect(history.map((e) => [e.event, e.resource, e.epoch])).toEqual([
      ['acquire', 'phone-4', 3],
      ['release', 'phone-4', 3],
      ['acquire', 'phone-4', 4],
      ['release', 'phone-4', 4],
    ]);
  });

  it('a holder that finds its lease taken over is told, and cannot delete the new holder\'s lease', async () => {
    const prefix = uniqueQueuePrefix();
    const redis = connect();
    const leases = new DeviceLeases(redis, { prefix, ttlMs: 10_000, renewEveryMs: 5_000 });
    const lease = await leases.acquire('phone-2', 'agent-a');
    const lost: string[] = [];
    lease!.onLost((reason) => lost.push(reason));
    // simulate expiry and a new holder (as after a long Redis outage)
    await redis.set(leases.key('phone-2'), 'agent-b|token');
    expect(await lease!.renew()).toBe(false);
    expect(lease!.lost).toBe(true);
    expect(lost[0]).toMatch(/expired or was taken over/);
    expect(await lease!.release()).toBe(false);
    expect(await redis.get(leases.key('phone-2'))).toBe('agent-b|token');
  });
});
