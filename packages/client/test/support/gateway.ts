import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

/**
 * What a load balancer in front of the API does on a bad day, as a real HTTP server: forwards to
 * the API, or answers an HTML 502 (API down), or forwards and then loses the answer (a timeout
 * between the balancer and the client), or never answers.
 */
export type GatewayMode = 'forward' | 'html-502' | 'forward-then-502' | 'hang';

export interface Gateway {
  url: string;
  /** modes for the next requests, in order; then `forward` */
  script(...modes: GatewayMode[]): void;
  /** every request seen: method, path and the Idempotency-Key it carried */
  seen: { method: string; path: string; idempotencyKey: string | undefined }[];
  close(): Promise<void>;
}

const HTML_502 = '<html><head><title>502 Bad Gateway</title></head><body><center><h1>502 Bad Gateway</h1></center><hr><center>nginx</center></body></html>';

async function forward(upstream: string, req: IncomingMessage): Promise<Response> {
  const chunks: Buffer[] = [];
  for await (const c of req) chunks.push(c as Buffer);
  const headers = Object.fromEntries(Object.entries(req.headers).filter((e): e is [string, string] => typeof e[1] === 'string' && e[0] !== 'host' && e[0] !== 'connection'));
  return fetch(`${upstream}${req.url ?? '/'}`, { method: req.method ?? 'GET', headers, ...(chunks.length ? { body: Buffer.concat(chunks) } : {}) });
}

async function relay(res: Response, out: ServerResponse): Promise<void> {
  const body = Buffer.from(await res.arrayBuffer());
  const headers: Record<string, string> = {};
  res.headers.forEach((v, k) => {
    if (k !== 'content-encoding' && k !== 'transfer-encoding' && k !== 'content-length') headers[k] = v;
  });
  out.writeHead(res.status, headers).end(body);
}

export async function startGateway(upstream: string): Promise<Gateway> {
  const queue: GatewayMode[] = [];
  const seen: Gateway['seen'] = [];
  const hung: ServerResponse[] = [];
  const server = createServer((req, out) => {
    const mode = queue.shift() ?? 'forward';
    const key = req.headers['idempotency-key'];
    seen.push({ method: req.method ?? '', path: req.url ?? '', idempotencyKey: typeof key === 'string' ? key : undefined });
    const html502 = () => out.writeHead(502, { 'content-type': 'text/html' }).end(HTML_502);
    if (mode === 'hang') {
      hung.push(out);
      req.resume();
      return;
    }
    if (mode === 'html-502') {
      req.resume();
      req.on('end', html502);
      return;
    }
    forward(upstream, req).then(
      async (res) => (mode === 'forward-then-502' ? (await res.arrayBuffer(), html502()) : relay(res, out)),
      (err: unknown) => out.writeHead(500).end(String(err)),
    );
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    script: (...modes) => void queue.push(...modes),
    seen,
    close: async () => {
      for (const h of hung) h.destroy();
      server.closeAllConnections();
      await new Promise<void>((r) => server.close(() => r()));
    },
  };
}
