import { spawn, spawnSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdtemp, readdir, readFile, rm } from 'node:fs/promises';
import { connect } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createRedis, redactRedisUrl } from '@edgeproof/queue';
import { repoRoot } from '@edgeproof/testkit';
import { Queue, Worker } from 'bullmq';
import { afterAll, describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { startTestApi } from '../../apps/api/test/helpers.ts';
import { ensureServices, freePort } from '../../scripts/lib/services.ts';

/**
 * "Redis is not a back door": whoever reaches the queues can forge jobs and leases, so every
 * Redis the project starts needs a password, and every client the project builds sends it.
 */

/** One RESP command over a bare socket, as any unauthenticated client would send it; the first reply line. */
function rawCommand(port: number, ...args: string[]): Promise<string> {
  return new Promise((resolve, reject) => {
    const socket = connect({ host: '127.0.0.1', port }, () => {
      socket.write(`*${args.length}\r\n${args.map((a) => `$${Buffer.byteLength(a)}\r\n${a}\r\n`).join('')}`);
    });
    let data = '';
    socket.on('data', (chunk: Buffer) => {
      data += chunk.toString();
      if (data.includes('\r\n')) {
        socket.destroy();
        resolve(data.split('\r\n')[0] as string);
      }
    });
    socket.once('error', reject);
  });
}

/** What a project client must do with a URL: connect, authenticate, and run queue traffic through BullMQ. */
async function expectUsable(url: string) {
  const redis = createRedis(url);
  try {
    expect(await redis.ping()).toBe('PONG');
  } finally {
    redis.disconnect();
  }
  // the API's producer ({connection: {url}}) and the agent's worker (a shared ioredis client BullMQ duplicates)
  const prefix = `redis-auth-${randomBytes(4).toString('hex')}`;
  const queue = new Queue('auth-check', { connection: { url }, prefix });
  const connection = createRedis(url);
  const done = new Promise<unknown>((resolve) => {
    const worker: Worker = new Worker('auth-check', async (job) => job.data, { connection, prefix });
    worker.on('completed', (_job, value) => void worker.close().then(() => resolve(value)));
  });
  try {
    await queue.add('ping', { ok: true });
    expect(await done).toEqual({ ok: true });
  } finally {
    await queue.obliterate({ force: true });
    await queue.close();
    connection.disconnect();
  }
}

describe('security: Redis needs credentials wherever the project starts one', () => {
  const cleanups: Array<() => Promise<void>> = [];
  afterAll(async () => {
    for (const c of cleanups.reverse()) await c();
  });

  it("the demo's and the tests' own redis-server (scripts/lib/services.ts) answers NOAUTH without the generated password", async () => {
    // DATABASE_URL set: only Redis is started, exactly as `npm run demo` and the test setup do without REDIS_URL
    const services = await ensureServices({ DATABASE_URL: 'postgresql://unused@127.0.0.1:1/unused' });
    cleanups.push(services.stop);
    const url = new URL(services.redisUrl);
    expect(url.hostname).toBe('127.0.0.1');
    expect(url.password.length).toBeGreaterThanOrEqual(32);
    const port = Number(url.port);

    expect(await rawCommand(port, 'PING')).toMatch(/^-NOAUTH /);
    expect(await rawCommand(port, 'KEYS', '*')).toMatch(/^-NOAUTH /);
    expect(await rawCommand(port, 'AUTH', 'wrong-password')).toMatch(/^-WRONGPASS /);
    await expectUsable(services.redisUrl);

    // the password is on no command line on this machine (the config went in on stdin), and redaction hides it
    const cmdlines = await Promise.all((await readdir('/proc')).filter((e) => /^\d+$/.test(e)).map((pid) => readFile(`/proc/${pid}/cmdline`, 'utf8').catch(() => '')));
    expect(cmdlines.some((c) => c.includes(`127.0.0.1:${port}`)), 'the redis-server process is found').toBe(true);
    expect(cmdlines.filter((c) => c.includes(url.password))).toEqual([]);
    expect(redactRedisUrl(services.redisUrl)).toBe(`redis://:***@127.0.0.1:${port}`);
    expect(redactRedisUrl(services.redisUrl)).not.toContain(url.password);
  });

  it('the API reaches a password-protected Redis through the credentials in REDIS_URL', async () => {
    const services = await ensureServices({ DATABASE_URL: 'postgresql://unused@127.0.0.1:1/unused' });
    cleanups.push(services.stop);
    const api = await startTestApi({ REDIS_URL: services.redisUrl });
    cleanups.push(api.close);
    const ready = await api.app.inject({ method: 'GET', url: '/ready' });
    expect(ready.json()).toEqual({ status: 'ok', postgres: 'ok', redis: 'ok' });
    expect(ready.body).not.toContain(new URL(services.redisUrl).password);
  });

  it('Redis started the way docker-compose.yml starts it refuses clients without the password; its health check and the API URL authenticate', async () => {
    const compose = parse(await readFile(join(repoRoot, 'docker-compose.yml'), 'utf8')) as {
      services: Record<string, { command: string[]; environment: Record<string, string>; healthcheck: { test: string[] } }>;
    };
    const redis = compose.services.redis;
    const password = randomBytes(24).toString('hex');
    const interpolate = (v: string) => v.replace(/\$\{REDIS_PASSWORD(:[?-][^}]*)?\}/g, password);
    const [binary, ...args] = (redis?.command ?? []).map(interpolate);
    expect(binary).toBe('redis-server');
    const port = await freePort();
    const dir = await mkdtemp(join(tmpdir(), 'ep-redis-compose-'));
    // the compose command as written, pinned to a loopback port and a scratch data directory
    const child = spawn('redis-server', [...args, '--port', String(port), '--bind', '127.0.0.1', '--dir', dir], { stdio: 'ignore' });
    cleanups.push(async () => {
      const gone = new Promise((r) => child.once('exit', r));
      child.kill('SIGTERM');
      await gone;
      await rm(dir, { recursive: true, force: true });
    });
    await expect.poll(() => rawCommand(port, 'PING').catch(() => 'not listening'), { timeout: 5000, interval: 50 }).toMatch(/^-NOAUTH /);

    const apiUrl = interpolate(compose.services.api?.environment.REDIS_URL ?? '').replace('@redis:6379', `@127.0.0.1:${port}`);
    expect(apiUrl).toBe(`redis://:${password}@127.0.0.1:${port}`);
    await expectUsable(apiUrl);

    // the container health check, run by the same shell against this server (compose's $$ is a literal $)
    const test = (redis?.healthcheck.test ?? []).slice(1).join(' ').replace(/\$\$/g, '$').replace('redis-cli', `redis-cli -p ${port}`);
    const check = (env: Record<string, string>) => spawnSync('sh', ['-c', test], { env: { PATH: process.env.PATH ?? '', ...env } }).status;
    expect(check({ REDIS_PASSWORD: password })).toBe(0);
    expect(check({ REDIS_PASSWORD: 'wrong' })).not.toBe(0);
  });
});
