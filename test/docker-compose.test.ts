import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { repoRoot } from '@edgeproof/testkit';
import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { loadEnv as loadAgentEnv } from '../apps/agent/src/env.ts';
import { loadEnv as loadApiEnv } from '../apps/api/src/env.ts';

interface Service {
  image?: string;
  command?: string[];
  ports?: (string | { target?: number; published?: number | string })[];
  expose?: unknown[];
  network_mode?: string;
  healthcheck?: { test: string[] };
  build?: { context: string; dockerfile: string };
  environment?: Record<string, string>;
  depends_on?: Record<string, unknown>;
}
const compose = parse(readFileSync(join(repoRoot, 'docker-compose.yml'), 'utf8')) as { services: Record<string, Service> };

/** Expands ${VAR:-default} to its default and ${VAR:?msg} / ${VAR} to a sample value, as compose would with VAR required. */
function expand(env: Record<string, string> = {}): Record<string, string> {
  return Object.fromEntries(
    Object.entries(env).map(([k, v]) => [
      k,
      String(v).replace(/\$\{(\w+)(?::([-?])([^}]*))?\}/g, (_m, name: string, op?: string, arg?: string) =>
        op === '-' ? (arg ?? '') : `sample-${name.toLowerCase()}-value-long-enough`,
      ),
    ]),
  );
}

describe('docker-compose.yml', () => {
  it('has every service the README names', () => {
    const readme = readFileSync(join(repoRoot, 'README.md'), 'utf8');
    for (const name of ['postgres', 'redis', 'api', 'agent']) {
      expect(compose.services[name], `service ${name}`).toBeDefined();
      expect(readme).toContain(`\`${name}\``);
    }
  });

  it('builds the apps from Dockerfiles that exist', () => {
    for (const name of ['api', 'agent']) {
      const build = compose.services[name]?.build;
      expect(build, `${name}.build`).toBeDefined();
      expect(existsSync(join(repoRoot, build!.context, build!.dockerfile))).toBe(true);
    }
  });

  it('gives the API and the agent every variable their env schemas require', () => {
    const api = loadApiEnv(expand(compose.services.api?.environment));
    expect(api.DATABASE_URL).toMatch(/@postgres:5432\//);
    expect(api.REDIS_URL).toBe('redis://:sample-redis_password-value-long-enough@redis:6379');
    expect(api.HOST).toBe('0.0.0.0');
    const agent = loadAgentEnv(expand(compose.services.agent?.environment));
    expect(agent.API_URL).toBe('http://api:8080');
  });

  it('starts Redis with a password from REDIS_PASSWORD and gives the API and the agent URLs carrying it', () => {
    const redis = compose.services.redis;
    const command = redis?.command ?? [];
    const flag = command.indexOf('--requirepass');
    expect(flag, 'redis.command has --requirepass').toBeGreaterThan(0);
    expect(command[flag + 1]).toBe('${REDIS_PASSWORD:?set REDIS_PASSWORD}');
    expect(compose.services.api?.environment?.REDIS_URL, 'api.environment.REDIS_URL').toBe('redis://:${REDIS_PASSWORD:?set REDIS_PASSWORD}@redis:6379');
    // the health check authenticates (an unauthenticated ping answers NOAUTH, not PONG)
    expect(redis?.healthcheck?.test.join(' ')).toMatch(/REDISCLI_AUTH="\$\$REDIS_PASSWORD" redis-cli ping \| grep -q PONG/);
    expect(redis?.environment?.REDIS_PASSWORD).toBe('${REDIS_PASSWORD:?set REDIS_PASSWORD}');
  });

  it('does not publish the Redis port: only services on the compose network reach it', () => {
    const redis = compose.services.redis;
    expect(redis?.ports, 'redis.ports').toBeUndefined();
    expect(redis?.network_mode).toBeUndefined();
    for (const [name, service] of Object.entries(compose.services)) {
      const published = (service.ports ?? []).map((p) => (typeof p === 'string' ? p : `${p.published ?? ''}:${p.target ?? ''}`));
      expect(published.filter((p) => /(^|:)6379(\/tcp)?$/.test(p)), `${name}.ports`).toEqual([]);
    }
  });

  it('gives the agent only the API: no Postgres, no Redis, not even on its network', () => {
    const env = compose.services.agent?.environment ?? {};
    expect(Object.keys(env).filter((k) => /DATABASE|POSTGRES|REDIS|QUEUE/i.test(k))).toEqual([]);
    expect(Object.keys(compose.services.agent?.depends_on ?? {})).toEqual(['api']);
    const networksOf = (name: string) => (compose.services[name] as { networks?: string[] } | undefined)?.networks ?? [];
    for (const backend of ['redis', 'postgres']) {
      expect(networksOf(backend).filter((n) => networksOf('agent').includes(n)), `${backend} shares no network with the agent`).toEqual([]);
    }
    expect(networksOf('api')).toEqual(expect.arrayContaining(networksOf('agent')));
  });

  it('runs the agent as a non-root user', () => {
    const dockerfile = readFileSync(join(repoRoot, 'apps/agent/Dockerfile'), 'utf8');
    const users = [...dockerfile.matchAll(/^USER\s+(\S+)/gm)].map((m) => m[1]);
    expect(users.at(-1)).toBe('node');
  });

  it('applies migrations when the API container starts', () => {
    const dockerfile = readFileSync(join(repoRoot, 'apps/api/Dockerfile'), 'utf8');
    expect(dockerfile).toMatch(/prisma migrate deploy/);
  });
});
