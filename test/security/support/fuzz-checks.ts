/**
 * How the fuzz test sends requests and tells whether one changed anything.
 *
 * "No rows or files from rejected requests" is checked for EVERY rejected request, cheaply:
 * - rows: a trigger on every table of the test's own database appends to `fuzz_audit.changes` in the
 *   same transaction as the write (so a rolled-back write leaves no entry, exactly like it leaves no
 *   row), ignoring updates that change nothing and the token's `lastUsedAt` (as snapshot.ts does). One
 *   `max(id)` after each request says whether that request wrote anything; requests are sent one at
 *   a time, so a write belongs to the request that was in flight.
 * - files: the artifact store is listed after each request and compared with the list before it.
 * A repo-wide `snapshot()` (a digest of every table) taken around a sample of rejected requests
 * cross-checks the triggers (fuzz.test.ts).
 */
import { request as httpRequest } from 'node:http';
import { connect } from 'node:net';
import { readdir } from 'node:fs/promises';
import { join } from 'node:path';
import pg from 'pg';
import type { FastifyInstance } from 'fastify';
import { renderBody, type FuzzRequest } from './fuzz-requests.ts';

export class ChangeLog {
  private constructor(private readonly client: pg.Client) {}

  static async install(databaseUrl: string): Promise<ChangeLog> {
    const client = new pg.Client({ connectionString: databaseUrl });
    await client.connect();
    await client.query(`
      CREATE SCHEMA fuzz_audit;
      CREATE TABLE fuzz_audit.changes (id bigserial PRIMARY KEY, tbl text NOT NULL, op text NOT NULL, row_id text);
      CREATE FUNCTION fuzz_audit.log() RETURNS trigger LANGUAGE plpgsql AS $$
      BEGIN
        IF TG_OP = 'UPDATE' THEN
          IF TG_TABLE_NAME = 'ApiToken' AND (to_jsonb(NEW) - 'lastUsedAt') = (to_jsonb(OLD) - 'lastUsedAt') THEN RETURN NULL; END IF;
          IF to_jsonb(NEW) = to_jsonb(OLD) THEN RETURN NULL; END IF;
        END IF;
        INSERT INTO fuzz_audit.changes (tbl, op, row_id) VALUES (TG_TABLE_NAME, TG_OP, CASE WHEN TG_OP = 'DELETE' THEN to_jsonb(OLD) ->> 'id' ELSE to_jsonb(NEW) ->> 'id' END);
        RETURN NULL;
      END $$;`);
    const { rows } = await client.query<{ table_name: string }>(
      `SELECT table_name FROM information_schema.tables WHERE table_schema = 'public' AND table_type = 'BASE TABLE' AND table_name <> '_prisma_migrations'`,
    );
    for (const { table_name: t } of rows) {
      await client.query(`CREATE TRIGGER fuzz_audit AFTER INSERT OR UPDATE OR DELETE ON "${t}" FOR EACH ROW EXECUTE FUNCTION fuzz_audit.log()`);
    }
    return new ChangeLog(client);
  }

  async last(): Promise<number> {
    const { rows } = await this.client.query<{ n: string }>('SELECT coalesce(max(id), 0) AS n FROM fuzz_audit.changes');
    return Number(rows[0]?.n ?? 0);
  }

  async since(id: number): Promise<string[]> {
    const { rows } = await this.client.query<{ tbl: string; op: string; row_id: string | null }>('SELECT tbl, op, row_id FROM fuzz_audit.changes WHERE id > $1 ORDER BY id LIMIT 20', [id]);
    return rows.map((r) => `${r.op} ${r.tbl} ${r.row_id ?? ''}`);
  }

  close(): Promise<void> {
    return this.client.end();
  }
}

export async function listFiles(root: string): Promise<string> {
  const entries = await readdir(root, { recursive: true, withFileTypes: true }).catch(() => []);
  return entries
    .filter((e) => e.isFile())
    .map((e) => join(e.parentPath, e.name))
    .sort()
    .join('\n');
}

export interface FuzzResponse {
  status: number;
  headers: Record<string, string | string[] | undefined>;
  body: Buffer;
  /** the client could not send it (e.g. a header Node refuses): not the API's answer */
  clientError?: string;
}

/** the agent's long poll may wait its default 20 s when a raw body leaves waitMs out; anything else answers in 10 s */
const answerLimitMs = (req: FuzzRequest) => (req.path.endsWith('/agent/jobs/next') ? 35_000 : 10_000);

/** Over a real socket, byte for byte: what an HTTP client sends, without its validation. */
function rawHttp(port: number, req: FuzzRequest, payload: Buffer | undefined): Promise<FuzzResponse> {
  return new Promise((resolve) => {
    const socket = connect(port, '127.0.0.1');
    const chunks: Buffer[] = [];
    const chunked = req.how.includes('chunked');
    const head = [`${req.method} ${req.path}${req.query} HTTP/1.1`, 'host: 127.0.0.1', 'connection: close'];
    for (const [k, v] of Object.entries(req.headers)) head.push(`${k}: ${v}`);
    if (payload) head.push(chunked ? 'transfer-encoding: chunked' : `content-length: ${payload.length}`);
    const limitMs = answerLimitMs(req);
    const timer = setTimeout(() => {
      socket.destroy();
      resolve({ status: 0, headers: {}, body: Buffer.alloc(0), clientError: `timeout (${limitMs / 1000} s)` });
    }, limitMs);
    // a server may answer before it has read the whole body (a 413, a broken upload): done once the answer is complete
    socket.on('data', (c: Buffer) => {
      chunks.push(c);
      if (responseComplete(Buffer.concat(chunks), req.method === 'HEAD')) socket.destroy();
    });
    socket.on('error', () => undefined);
    socket.on('close', () => {
      clearTimeout(timer);
      resolve(parseRawResponse(Buffer.concat(chunks)));
    });
    socket.write(Buffer.concat([Buffer.from(`${head.join('\r\n')}\r\n\r\n`, 'utf8')]));
    if (payload) {
      if (chunked) {
        for (let i = 0; i < payload.length; i += 65_536) {
          const part = payload.subarray(i, i + 65_536);
          socket.write(Buffer.concat([Buffer.from(`${part.length.toString(16)}\r\n`), part, Buffer.from('\r\n')]));
        }
        socket.write('0\r\n\r\n');
      } else socket.write(payload);
    }
  });
}

function responseComplete(raw: Buffer, head: boolean): boolean {
  const res = parseRawResponse(raw);
  if (!res.status || res.clientError) return false;
  if (head || res.status === 204 || res.status === 304) return true;
  const length = res.headers['content-length'];
  if (length !== undefined) return res.body.length >= Number(length);
  return res.headers['transfer-encoding'] === 'chunked' && raw.subarray(-5).toString('latin1') === '0\r\n\r\n';
}

function parseRawResponse(raw: Buffer): FuzzResponse {
  // an interim 100 Continue comes before the real answer
  while (/^HTTP\/1\.1 1\d\d /.test(raw.subarray(0, 13).toString('latin1')) && raw.indexOf('\r\n\r\n') >= 0) raw = raw.subarray(raw.indexOf('\r\n\r\n') + 4);
  const end = raw.indexOf('\r\n\r\n');
  if (end < 0) return { status: 0, headers: {}, body: raw, clientError: `no HTTP response (${raw.length} bytes)` };
  const lines = raw.subarray(0, end).toString('latin1').split('\r\n');
  const status = Number(lines[0]?.split(' ')[1]);
  const headers: Record<string, string> = {};
  for (const l of lines.slice(1)) {
    const i = l.indexOf(':');
    headers[l.slice(0, i).trim().toLowerCase()] = l.slice(i + 1).trim();
  }
  let body = raw.subarray(end + 4);
  if (headers['transfer-encoding'] === 'chunked') {
    const out: Buffer[] = [];
    let at = 0;
    for (;;) {
      const nl = body.indexOf('\r\n', at);
      const size = parseInt(body.subarray(at, nl).toString('latin1'), 16);
      if (nl < 0 || !size) break;
      out.push(body.subarray(nl + 2, nl + 2 + size));
      at = nl + 2 + size + 2;
    }
    body = Buffer.concat(out);
  }
  return { status, headers, body };
}

export async function send(app: FastifyInstance, port: number, req: FuzzRequest): Promise<FuzzResponse> {
  const payload = renderBody(req.body);
  if (req.transport === 'http') return rawHttp(port, req, payload);
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<FuzzResponse>((resolve) => {
    const limitMs = answerLimitMs(req);
    timer = setTimeout(() => resolve({ status: 0, headers: {}, body: Buffer.alloc(0), clientError: `timeout (${limitMs / 1000} s)` }), limitMs);
  });
  try {
    const answer = app.inject({ method: req.method as 'GET', url: `${req.path}${req.query}`, headers: req.headers, ...(payload ? { payload } : {}) }).then((res): FuzzResponse => ({ status: res.statusCode, headers: res.headers as FuzzResponse['headers'], body: res.rawPayload }));
    return await Promise.race([answer, timeout]);
  } catch (err) {
    return { status: 0, headers: {}, body: Buffer.alloc(0), clientError: (err as Error).message };
  } finally {
    clearTimeout(timer);
  }
}

/** Node's own http client, for the checks after the fuzz (the API still answers real clients). */
export function httpGet(port: number, path: string): Promise<number> {
  return new Promise((resolve, reject) => {
    httpRequest({ host: '127.0.0.1', port, path }, (res) => {
      res.resume();
      res.on('end', () => resolve(res.statusCode ?? 0));
    })
      .on('error', reject)
      .end();
  });
}

/** One line per request, short enough to read in a failure message. */
export function describeRequest(req: FuzzRequest): string {
  const payload = renderBody(req.body);
  const preview = payload ? payload.subarray(0, 600).toString('utf8').replace(/[^\x20-\x7e]/g, '·') : '';
  const headers = Object.fromEntries(Object.entries(req.headers).map(([k, v]) => [k, k === 'authorization' ? `${v.slice(0, 14)}… (${req.auth})` : v.length > 120 ? `${v.slice(0, 120)}…(${v.length})` : v]));
  const url = `${req.path}${req.query}`;
  return `${req.method} ${url.length > 300 ? `${url.slice(0, 300)}…(${url.length})` : url} via ${req.transport} [${req.how.join(' ')}]\n  headers ${JSON.stringify(headers)}\n  body (${payload?.length ?? 0} bytes) ${preview}`;
}
