import { spawn } from 'node:child_process';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startAgent, type RunningAgent } from '@edgeproof/agent';
import { HostDriver } from '@edgeproof/devices';
import { pino } from 'pino';
import { startTestApi, type TestApi } from '../../../api/test/helpers.ts';

const BIN = join(import.meta.dirname, '../../bin/edgeproof.js');

/**
 * What npm needs to reach its registry from a clean environment (proxy settings, a registry
 * mirror, an extra CA for a TLS-inspecting proxy), and nothing of this checkout's workspace.
 */
export function registryEnv(): Record<string, string> {
  const keep = /^(PATH|HOME|TMPDIR|https?_proxy|no_proxy|npm_config_(registry|cache|cafile|strict_ssl)|NODE_EXTRA_CA_CERTS|SSL_CERT_(FILE|DIR))$/i;
  return { ...Object.fromEntries(Object.entries(process.env).filter((e): e is [string, string] => keep.test(e[0]) && e[1] !== undefined)), ONNXRUNTIME_NODE_INSTALL: 'skip' };
}

/** The real API (listening) and a real agent serving the host CPU, for tests that drive the CLI. */
export interface Stack {
  api: TestApi;
  agent: RunningAgent;
  dir: string;
  hostDeviceId: string;
  write(name: string, text: string): Promise<string>;
  /** runs `edgeproof ...args` as a subprocess (`bin`: another entry than the source one, e.g. an installed package's) */
  cli(args: string[], opts?: { role?: 'ci' | 'viewer' | 'admin' | 'ml_engineer'; env?: Record<string, string>; bin?: string }): Promise<{ code: number | null; stdout: string; stderr: string }>;
  close(): Promise<void>;
}

export async function startStack(): Promise<Stack> {
  const api = await startTestApi({}, { listen: true });
  const dir = await mkdtemp(join(tmpdir(), 'ep-cli-'));
  const agentToken = await api.agentToken('cli-test-agent');
  const agent = await startAgent({
    apiUrl: api.url,
    token: agentToken,
    name: 'cli-test-agent',
    cacheDir: join(dir, 'agent-cache'),
    drivers: [new HostDriver({ tier: 'mid' })],
    logger: pino({ level: 'silent' }),
    shutdownGraceMs: 1_000,
  });
  const hostDeviceId = agent.devices[0]?.id ?? '';
  return {
    api,
    agent,
    dir,
    hostDeviceId,
    write: async (name, text) => {
      const path = join(dir, name);
      await writeFile(path, text);
      return path;
    },
    cli: (args, opts = {}) =>
      new Promise((resolve, reject) => {
        // a clean environment: no CI variables leak in from the machine running the tests
        const env: Record<string, string> = {
          PATH: process.env.PATH ?? '',
          HOME: process.env.HOME ?? '',
          EDGEPROOF_URL: api.url,
          EDGEPROOF_TOKEN: api.tokens[opts.role ?? 'ci'],
          ...opts.env,
        };
        const child = spawn(process.execPath, [opts.bin ?? BIN, ...args], { cwd: dir, env, stdio: ['ignore', 'pipe', 'pipe'] });
        let stdout = '';
        let stderr = '';
        child.stdout.on('data', (c: Buffer) => (stdout += c.toString()));
        child.stderr.on('data', (c: Buffer) => (stderr += c.toString()));
        child.on('error', reject);
        child.on('close', (code) => resolve({ code, stdout, stderr }));
      }),
    close: async () => {
      await agent.stop();
      await api.close();
      await rm(dir, { recursive: true, force: true });
    },
  };
}
