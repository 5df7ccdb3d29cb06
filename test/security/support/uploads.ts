import { openAsBlob } from 'node:fs';
import { Agent, request } from 'node:http';
import type { TestApi } from '../../../apps/api/test/helpers.ts';

/**
 * Polls GET /health over real HTTP, one request at a time, until stopped; `stop()` answers the
 * latencies seen. Shows whether the API's event loop kept answering while an attack ran.
 */
export function pollHealth(baseUrl: string): { stop(): Promise<{ samples: number; p99: number; max: number }> } {
  const agent = new Agent({ keepAlive: true, maxSockets: 1 });
  const latencies: number[] = [];
  let running = true;
  const once = () =>
    new Promise<void>((resolve, reject) => {
      const started = performance.now();
      const req = request(`${baseUrl}/health`, { agent }, (res) => {
        res.resume();
        res.on('end', () => {
          if (res.statusCode !== 200) reject(new Error(`/health answered ${res.statusCode}`));
          latencies.push(performance.now() - started);
          resolve();
        });
      });
      req.on('error', reject);
      req.end();
    });
  const loop = (async () => {
    while (running) {
      await once();
      await new Promise((r) => setTimeout(r, 5));
    }
  })();
  return {
    async stop() {
      running = false;
      await loop;
      agent.destroy();
      const sorted = [...latencies].sort((a, b) => a - b);
      const p99 = sorted[Math.min(sorted.length - 1, Math.ceil(sorted.length * 0.99) - 1)] ?? Infinity;
      return { samples: sorted.length, p99, max: sorted[sorted.length - 1] ?? Infinity };
    },
  };
}

/** Rows in every table an upload or a policy can write. */
export async function rowCounts(api: TestApi) {
  const db = api.app.db;
  return {
    model: await db.model.count(),
    modelVersion: await db.modelVersion.count(),
    dataset: await db.dataset.count(),
    scenario: await db.scenario.count(),
    featureBuild: await db.featureBuild.count(),
    featureBuildModel: await db.featureBuildModel.count(),
    gatePolicy: await db.gatePolicy.count(),
  };
}

/** A multipart body whose files are read from disk as they are sent (never held in this process). */
export async function diskForm(fields: Record<string, string>, files: Record<string, string>): Promise<FormData> {
  const form = new FormData();
  for (const [k, v] of Object.entries(fields)) form.append(k, v);
  for (const [k, path] of Object.entries(files)) form.append(k, await openAsBlob(path), path.split('/').pop() ?? k);
  return form;
}

export async function post(api: TestApi, path: string, body: FormData | object, role: 'ml_engineer' | 'ci' = 'ml_engineer'): Promise<{ status: number; body: { error?: { code: string; message: string; details?: unknown } } & Record<string, unknown> }> {
  const isForm = body instanceof FormData;
  const res = await fetch(`${api.url}${path}`, {
    method: 'POST',
    headers: { ...api.auth(role), ...(isForm ? {} : { 'content-type': 'application/json' }) },
    body: isForm ? body : JSON.stringify(body),
  });
  return { status: res.status, body: (await res.json()) as never };
}

/**
 * Runs `attack` while polling /health; answers the attack's result and the health latencies.
 * Also samples this process's heap (the API runs in it) and reports the peak growth.
 */
export async function underLoad<T>(api: TestApi, attack: () => Promise<T>): Promise<{ result: T; health: { samples: number; p99: number; max: number }; heapGrowthBytes: number }> {
  // warm the route and the connection, so the first sample is not a cold start
  await fetch(`${api.url}/health`).then((r) => r.arrayBuffer());
  const heapBefore = process.memoryUsage().heapUsed;
  let heapPeak = heapBefore;
  const sampler = setInterval(() => {
    heapPeak = Math.max(heapPeak, process.memoryUsage().heapUsed);
  }, 10);
  const health = pollHealth(api.url);
  try {
    const result = await attack();
    return { result, health: await health.stop(), heapGrowthBytes: heapPeak - heapBefore };
  } finally {
    clearInterval(sampler);
    await health.stop().catch(() => undefined);
  }
}
