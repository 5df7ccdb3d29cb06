/**
 * Multipart bodies for the upload routes, written byte by byte so that they can be broken the ways
 * real clients and attackers break them: missing or doubled files, wrong field names, huge or too
 * many fields, garbage files, traversal file names, broken framing.
 */
import { DatasetUploadFields, FeatureBuildUploadFields, VersionUploadFields } from '@edgeproof/contracts';
import { z } from 'zod';
import { mutate, nastyString, sampleSchema, type Rng } from './fuzz-values.ts';
import type { World } from './fuzz-world.ts';

export interface Part {
  name: string;
  filename?: string | undefined;
  contentType?: string | undefined;
  /** replaces the generated part headers */
  rawHeaders?: string | undefined;
  data: Buffer;
}

export interface MultipartBody {
  kind: 'multipart';
  boundary: string;
  /** the boundary the content-type header names (a different one breaks the framing) */
  headerBoundary: string | null;
  parts: Part[];
  /** what ends the body: the closing delimiter, nothing, or garbage */
  tail: string;
}

interface UploadSpec {
  fields: z.ZodType | null;
  files: readonly string[];
  file(name: string, w: World): Buffer;
}

/** Every multipart route of the API; the fuzz test fails when one is missing here. */
export const UPLOADS: Record<string, UploadSpec> = {
  'POST /v1/models/:name/versions': { fields: VersionUploadFields, files: ['file'], file: (_n, w) => w.files.onnx },
  'POST /v1/datasets': { fields: DatasetUploadFields, files: ['file'], file: (_n, w) => w.files.dataset },
  'POST /v1/features': { fields: FeatureBuildUploadFields, files: ['file'], file: (_n, w) => w.files.bundle },
  'POST /v1/scenarios': { fields: null, files: ['video', 'groundTruth', 'manifest'], file: (n, w) => w.files.scenario[n as 'video' | 'groundTruth' | 'manifest'] },
};

const fieldSchemas = new Map<z.ZodType, Record<string, unknown>>();
function jsonSchema(s: z.ZodType): Record<string, unknown> {
  let j = fieldSchemas.get(s);
  if (!j) fieldSchemas.set(s, (j = z.toJSONSchema(s, { io: 'input', unrepresentable: 'any' }) as Record<string, unknown>));
  return j;
}

/** A file that is almost right, or not at all. */
function fileVariant(r: Rng, name: string, valid: Buffer, w: World, how: string[], clean: boolean): Buffer {
  const kind = clean ? 'valid' : r.weighted([
    ['valid', 5],
    ['garbage', 2],
    ['truncated', 2],
    ['bitflip', 2],
    ['empty', 1],
    ['other-kind', 1],
    ['mutated-text', name === 'manifest' || name === 'groundTruth' ? 4 : 0],
    ['big', 0.3],
  ] as const);
  how.push(`${name}:${kind}`);
  switch (kind) {
    case 'valid':
      return valid;
    case 'garbage':
      return r.bytes(r.int(4096) + 1);
    case 'truncated':
      return valid.subarray(0, r.int(Math.max(1, valid.length)));
    case 'bitflip': {
      const copy = Buffer.from(valid);
      for (let i = r.int(8) + 1; i > 0 && copy.length; i--) { const at = r.int(Math.min(copy.length, 4096)); copy[at] = (copy[at] ?? 0) ^ (1 << r.int(8)); }
      return copy;
    }
    case 'empty':
      return Buffer.alloc(0);
    case 'other-kind':
      return r.pick([w.files.onnx, w.files.tflite, w.files.dataset, w.files.bundle, w.files.apk, w.files.scenario.manifest]);
    case 'mutated-text': {
      if (name === 'manifest') return Buffer.from(JSON.stringify(mutate(r, JSON.parse(valid.toString('utf8')), r.int(3) + 1)) ?? 'null');
      const lines = valid.toString('utf8').split('\n');
      for (let i = r.int(3) + 1; i > 0; i--) {
        const at = r.int(lines.length);
        const cols = (lines[at] ?? '').split(',');
        cols[r.int(Math.max(1, cols.length))] = r.pick(['-1', '1e309', 'NaN', '', '99999999', nastyString(r), '0.5']);
        lines[at] = r.chance(0.2) ? 'x'.repeat(r.pick([10, 70_000])) : cols.join(',');
      }
      return Buffer.from(lines.join('\n'));
    }
    case 'big':
      return Buffer.alloc(2 * 1024 * 1024 + r.int(1000), r.int(256));
  }
}

export function multipartBody(r: Rng, route: string, w: World, how: string[]): MultipartBody {
  const spec = UPLOADS[route] as UploadSpec;
  const parts: Part[] = [];
  // a quarter of the uploads are well-formed, so that the checks after the parsing get exercised too
  const clean = r.chance(0.25);
  if (clean) how.push('clean');
  if (spec.fields) {
    const values = sampleSchema(r, jsonSchema(spec.fields), w) as Record<string, unknown>;
    for (const [k, v] of Object.entries(values)) parts.push({ name: k, data: Buffer.from(String(v)) });
  }
  for (const name of spec.files) {
    let valid = spec.file(name, w);
    if (route === 'POST /v1/models/:name/versions' && r.chance(0.3)) valid = w.files.tflite;
    if (route === 'POST /v1/features' && r.chance(0.3)) {
      valid = w.files.apk;
      const platform = parts.find((p) => p.name === 'platform');
      if (platform) platform.data = Buffer.from('android');
    }
    parts.push({ name, filename: clean || r.chance(0.9) ? `${name}.bin` : undefined, contentType: 'application/octet-stream', data: fileVariant(r, name, valid, w, how, clean) });
  }
  const boundary = `----fuzz${r.int(1e9)}`;
  const body: MultipartBody = { kind: 'multipart', boundary, headerBoundary: boundary, parts, tail: `--${boundary}--\r\n` };
  for (let i = clean ? 0 : r.weighted([[0, 2], [1, 4], [2, 2]] as const); i > 0; i--) breakMultipart(r, body, spec, how);
  // the order of parts matters to streaming parsers: shuffle sometimes
  if (!clean && r.chance(0.2)) body.parts.sort(() => r.next() - 0.5);
  return body;
}

function breakMultipart(r: Rng, b: MultipartBody, spec: UploadSpec, how: string[]): void {
  const files = b.parts.filter((p) => p.filename !== undefined || spec.files.includes(p.name));
  const kind = r.pick(['drop-part', 'dup-file', 'rename-part', 'extra-field', 'huge-field', 'many-fields', 'file-as-field', 'field-as-file', 'traversal-filename', 'odd-names', 'raw-headers', 'no-tail', 'garbage-tail', 'wrong-boundary', 'no-boundary', 'preamble'] as const);
  how.push(kind);
  switch (kind) {
    case 'drop-part':
      if (b.parts.length) b.parts.splice(r.int(b.parts.length), 1);
      break;
    case 'dup-file': {
      const f = files.length ? r.pick(files) : undefined;
      if (f) b.parts.push({ ...f, data: r.chance(0.5) ? f.data : r.bytes(64) });
      break;
    }
    case 'rename-part': {
      const p = b.parts.length ? r.pick(b.parts) : undefined;
      if (p) p.name = r.pick(['File', 'files', 'file[]', 'model', '', 'video', 'manifest', nastyString(r).slice(0, 200)]);
      break;
    }
    case 'extra-field':
      b.parts.push({ name: r.pick(['extra', 'name', 'version', '__proto__', 'constructor', 'gitCommit', 'models']), data: Buffer.from(nastyString(r).slice(0, 100_000)) });
      break;
    case 'huge-field': {
      const p = b.parts.find((x) => x.filename === undefined);
      (p ?? (b.parts[b.parts.length] = { name: 'version', data: Buffer.alloc(0) })).data = Buffer.alloc(r.pick([1024 * 1024 + 1, 3 * 1024 * 1024]), 'a');
      break;
    }
    case 'many-fields':
      for (let i = r.pick([21, 100, 1000]); i > 0; i--) b.parts.push({ name: `f${i}`, data: Buffer.from('v') });
      break;
    case 'file-as-field':
      for (const f of files) f.filename = undefined;
      break;
    case 'field-as-file':
      for (const p of b.parts) if (p.filename === undefined) p.filename = 'field.txt';
      break;
    case 'traversal-filename':
      for (const f of files) f.filename = r.pick(['../../../../tmp/x', '..\\..\\x', '/etc/passwd', '\u0000.onnx', 'a'.repeat(5000), '😀.onnx', '']);
      break;
    case 'odd-names': {
      const p = b.parts.length ? r.pick(b.parts) : undefined;
      if (p) p.rawHeaders = `Content-Disposition: form-data; name="${p.name}\\"; x="y"; filename*=UTF-8''%E2%82%AC.onnx\r\nContent-Type: ${r.pick(['', 'text/plain; charset=utf-99', 'multipart/mixed', '\u0000'])}\r\n`;
      break;
    }
    case 'raw-headers': {
      const p = b.parts.length ? r.pick(b.parts) : undefined;
      if (p) p.rawHeaders = r.pick(['', 'Content-Type: application/octet-stream\r\n', 'Content-Disposition: attachment\r\n', 'Content-Disposition: form-data\r\n', 'garbage\r\n', `X: ${'y'.repeat(100_000)}\r\n`]);
      break;
    }
    case 'no-tail':
      b.tail = '';
      break;
    case 'garbage-tail':
      b.tail = r.pick([`--${b.boundary}`, `--${b.boundary}--garbage`, '\r\n--', r.bytes(100).toString('latin1')]);
      break;
    case 'wrong-boundary':
      b.headerBoundary = `${b.boundary}x`;
      break;
    case 'no-boundary':
      b.headerBoundary = null;
      break;
    case 'preamble':
      b.parts.unshift({ name: '', rawHeaders: 'preamble', data: r.bytes(32) });
      break;
  }
}

export function renderMultipart(b: MultipartBody): Buffer {
  const chunks: Buffer[] = [];
  for (const p of b.parts) {
    const headers =
      p.rawHeaders ??
      `Content-Disposition: form-data; name="${p.name}"${p.filename !== undefined ? `; filename="${p.filename}"` : ''}\r\n${p.contentType ? `Content-Type: ${p.contentType}\r\n` : ''}`;
    chunks.push(Buffer.from(`--${b.boundary}\r\n${headers}\r\n`, 'utf8'), p.data, Buffer.from('\r\n'));
  }
  chunks.push(Buffer.from(b.tail, 'latin1'));
  return Buffer.concat(chunks);
}

export const multipartContentType = (b: MultipartBody) => (b.headerBoundary === null ? 'multipart/form-data' : `multipart/form-data; boundary=${b.headerBoundary}`);
