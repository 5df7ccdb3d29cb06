import { randomBytes } from 'node:crypto';
import { createReadStream } from 'node:fs';
import { stat } from 'node:fs/promises';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { bundleHarnessScript, litertWasmDir, ortDistDir } from './bundle.ts';
import type { HarnessExecutionProvider } from './protocol.ts';

/** Headers that make the page cross-origin isolated, so wasm threads (SharedArrayBuffer) work. */
export const ISOLATION_HEADERS = {
  'cross-origin-opener-policy': 'same-origin',
  'cross-origin-embedder-policy': 'require-corp',
  'cross-origin-resource-policy': 'same-origin',
  'x-content-type-options': 'nosniff',
} as const;

/** onnxruntime-web entry per execution provider: the wasm-only build loads a 14 MB runtime, the full one 28 MB. */
const ORT_ENTRY: Record<HarnessExecutionProvider, string> = { wasm: 'ort.wasm.min.mjs', webgpu: 'ort.min.mjs' };
const ORT_FILE = /^ort[\w.-]*\.(mjs|wasm)$/;
/** LiteRT.js's wasm builds: default (relaxed SIMD), compat, threaded, JSPI */
const LITERT_FILE = /^litert_wasm(_compat|_threaded|_jspi)?_internal\.(js|wasm)$/;
const TOKEN = /^[0-9a-f]{32}$/;

export interface HarnessServerOptions {
  /** default 127.0.0.1 */
  host?: string;
  /** default 0 (any free port) */
  port?: number;
  /** the origin browsers use to reach this server, when not http://host:port (another host, adb reverse, a tunnel) */
  publicUrl?: string;
}

export interface HarnessJobFiles {
  /** path of the model file on disk */
  modelPath: string;
  /** names the served file model.onnx or model.tflite; default 'onnx' */
  format?: 'onnx' | 'tflite';
  /** the encoded input pack (input-pack.ts) */
  inputs: Uint8Array;
}

/** Files a feature replay serves to the page: name → path on disk (names are URL path segments). */
export type HostedFiles = Record<string, { path: string; type: string }>;

export interface HostedFileSet {
  /** name → URL */
  urls: Record<string, string>;
  remove(): void;
}

export interface HostedJob {
  modelUrl: string;
  inputsUrl: string;
  /** stop serving this job's files */
  remove(): void;
}

export interface HarnessServer {
  /** where browsers reach the server, without a trailing slash */
  readonly url: string;
  /** URL of the harness page for one execution provider */
  pageUrl(ep?: HarnessExecutionProvider): string;
  /** URL of a page with only onnxruntime-web on it (as window.ort), for comparisons with the harness */
  barePageUrl(ep?: HarnessExecutionProvider): string;
  /** URL of a page with only LiteRT.js on it (as window.litert), for comparisons with the harness */
  bareLitertPageUrl(): string;
  /** serves a job's files under an unguessable path until remove() */
  host(files: HarnessJobFiles): HostedJob;
  /** URL of the feature harness page (feature-protocol.ts) */
  featurePageUrl(ep?: HarnessExecutionProvider): string;
  /** serves named files (a feature bundle, its models) under an unguessable path until remove() */
  hostFiles(files: HostedFiles): HostedFileSet;
  close(): Promise<void>;
}

const importMap = (ep: HarnessExecutionProvider) =>
  `<script type="importmap">${JSON.stringify({ imports: { 'onnxruntime-web': `/ort/${ORT_ENTRY[ep]}` } })}</script>`;

const harnessHtml = (ep: HarnessExecutionProvider) =>
  `<!doctype html><html><head><meta charset="utf-8"><title>edgeproof harness</title>${importMap(ep)}` +
  `<script type="module" src="/harness/harness.js"></script></head><body>edgeproof harness</body></html>`;

const featureHtml = (ep: HarnessExecutionProvider) =>
  `<!doctype html><html><head><meta charset="utf-8"><title>edgeproof feature harness</title>${importMap(ep)}` +
  `<script type="module" src="/harness/feature.js"></script></head><body></body></html>`;

const bareLitertHtml = () =>
  `<!doctype html><html><head><meta charset="utf-8"><title>LiteRT.js</title>` +
  `<script type="module" src="/harness/bare-litert.js"></script></head><body>bare</body></html>`;

const bareHtml = (ep: HarnessExecutionProvider) =>
  `<!doctype html><html><head><meta charset="utf-8"><title>onnxruntime-web</title>${importMap(ep)}` +
  `<script type="module">import * as ort from 'onnxruntime-web'; globalThis.ort = ort; globalThis.ortReady = true;</script>` +
  `</head><body>bare</body></html>`;

/**
 * The HTTP server a browser device loads its harness from: the page, its script, onnxruntime-web's
 * files from node_modules and each running job's model and inputs. Every response carries the
 * cross-origin isolation headers. Binds 127.0.0.1 by default.
 */
export async function startHarnessServer(opts: HarnessServerOptions = {}): Promise<HarnessServer> {
  const script = await bundleHarnessScript();
  let featureScript: Promise<string> | undefined;
  let featureRealmScript: Promise<string> | undefined;
  let bareLitertScript: Promise<string> | undefined;
  const ortDir = ortDistDir();
  const litertDir = litertWasmDir();
  const jobs = new Map<string, HarnessJobFiles>();
  const fileSets = new Map<string, HostedFiles>();

  const server = createServer((req, res) => {
    handle(req, res).catch(() => {
      if (!res.headersSent) send(res, 500, 'text/plain', 'internal error');
      else res.destroy();
    });
  });

  async function handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    if (req.method !== 'GET' && req.method !== 'HEAD') return send(res, 405, 'text/plain', 'method not allowed');
    const url = new URL(req.url ?? '/', 'http://harness.invalid');
    const ep: HarnessExecutionProvider = url.searchParams.get('ep') === 'webgpu' ? 'webgpu' : 'wasm';
    const path = url.pathname;
    if (path === '/harness/' || path === '/harness/index.html') return send(res, 200, 'text/html; charset=utf-8', harnessHtml(ep));
    if (path === '/harness/bare.html') return send(res, 200, 'text/html; charset=utf-8', bareHtml(ep));
    if (path === '/harness/harness.js') return send(res, 200, 'text/javascript; charset=utf-8', script);
    if (path === '/harness/feature.html') return send(res, 200, 'text/html; charset=utf-8', featureHtml(ep));
    if (path === '/harness/feature.js') {
      featureScript ??= bundleHarnessScript('feature');
      return send(res, 200, 'text/javascript; charset=utf-8', await featureScript);
    }
    if (path === '/harness/bare-litert.html') return send(res, 200, 'text/html; charset=utf-8', bareLitertHtml());
    if (path === '/harness/bare-litert.js') {
      bareLitertScript ??= bundleHarnessScript('bare-litert');
      return send(res, 200, 'text/javascript; charset=utf-8', await bareLitertScript);
    }
    if (path === '/harness/feature-realm.js') {
      featureRealmScript ??= bundleHarnessScript('feature-realm');
      // module workers do not see the page's import map: the worker imports onnxruntime-web by its path
      const text = (await featureRealmScript).replace(/(from\s*|import\s*\(\s*)(["'])onnxruntime-web\2/g, `$1$2/ort/${ORT_ENTRY[ep]}$2`);
      return send(res, 200, 'text/javascript; charset=utf-8', text);
    }
    const fileMatch = /^\/files\/([0-9a-f]{32})\/([\w.-]+)$/.exec(path);
    const hosted = fileMatch?.[1] && fileMatch[2] ? fileSets.get(fileMatch[1])?.[fileMatch[2]] : undefined;
    if (hosted) return sendFile(req, res, hosted.path, hosted.type, 'no-store');
    const ortMatch = /^\/ort\/([^/]+)$/.exec(path);
    if (ortMatch?.[1] && ORT_FILE.test(ortMatch[1])) {
      const type = ortMatch[1].endsWith('.wasm') ? 'application/wasm' : 'text/javascript; charset=utf-8';
      return sendFile(req, res, join(ortDir, ortMatch[1]), type, 'public, max-age=3600');
    }
    const litertMatch = /^\/litert\/([^/]+)$/.exec(path);
    if (litertMatch?.[1] && LITERT_FILE.test(litertMatch[1])) {
      const type = litertMatch[1].endsWith('.wasm') ? 'application/wasm' : 'text/javascript; charset=utf-8';
      return sendFile(req, res, join(litertDir, litertMatch[1]), type, 'public, max-age=3600');
    }
    const jobMatch = /^\/jobs\/([^/]+)\/(model\.onnx|model\.tflite|inputs\.bin)$/.exec(path);
    const job = jobMatch?.[1] && TOKEN.test(jobMatch[1]) ? jobs.get(jobMatch[1]) : undefined;
    if (job && jobMatch?.[2] === `model.${job.format ?? 'onnx'}`) return sendFile(req, res, job.modelPath, 'application/octet-stream', 'no-store');
    if (job && jobMatch?.[2] === 'inputs.bin') return send(res, 200, 'application/octet-stream', job.inputs);
    return send(res, 404, 'text/plain', 'not found');
  }

  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(opts.port ?? 0, opts.host ?? '127.0.0.1', () => {
      server.off('error', reject);
      resolve();
    });
  });
  const address = server.address() as AddressInfo;
  const host = address.family === 'IPv6' ? `[${address.address}]` : address.address;
  const url = (opts.publicUrl ?? `http://${host}:${address.port}`).replace(/\/+$/, '');

  return {
    url,
    pageUrl: (ep = 'wasm') => `${url}/harness/?ep=${ep}`,
    barePageUrl: (ep = 'wasm') => `${url}/harness/bare.html?ep=${ep}`,
    bareLitertPageUrl: () => `${url}/harness/bare-litert.html`,
    featurePageUrl: (ep = 'wasm') => `${url}/harness/feature.html?ep=${ep}`,
    hostFiles(files) {
      for (const name of Object.keys(files)) if (!/^[\w.-]+$/.test(name)) throw new Error(`hosted file name "${name}" is not a plain file name`);
      const token = randomBytes(16).toString('hex');
      fileSets.set(token, files);
      return {
        urls: Object.fromEntries(Object.keys(files).map((n) => [n, `${url}/files/${token}/${n}`])),
        remove: () => void fileSets.delete(token),
      };
    },
    host(files) {
      const token = randomBytes(16).toString('hex');
      jobs.set(token, files);
      return {
        modelUrl: `${url}/jobs/${token}/model.${files.format ?? 'onnx'}`,
        inputsUrl: `${url}/jobs/${token}/inputs.bin`,
        remove: () => void jobs.delete(token),
      };
    },
    close: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
}

function send(res: ServerResponse, status: number, type: string, body: string | Uint8Array, cache = 'no-store'): void {
  res.writeHead(status, { ...ISOLATION_HEADERS, 'content-type': type, 'cache-control': cache, 'content-length': Buffer.byteLength(body) });
  res.end(res.req.method === 'HEAD' ? undefined : body);
}

async function sendFile(req: IncomingMessage, res: ServerResponse, path: string, type: string, cache: string): Promise<void> {
  const st = await stat(path).catch(() => null);
  if (!st?.isFile()) return send(res, 404, 'text/plain', 'not found');
  res.writeHead(200, { ...ISOLATION_HEADERS, 'content-type': type, 'cache-control': cache, 'content-length': st.size });
  if (req.method === 'HEAD') {
    res.end();
    return;
  }
  const stream = createReadStream(path);
  stream.on('error', () => res.destroy());
  stream.pipe(res);
}
