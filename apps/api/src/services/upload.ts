import { uniqueViolation, type Db, type Prisma } from '@edgeproof/db';
import type { FastifyRequest } from 'fastify';
import type { z } from 'zod';
import { AppError, multipartReadError } from '../errors.ts';
import type { ArtifactStore, StagedArtifact } from './artifact-store.ts';
import { guardedParts } from './multipart-parts.ts';

/** multipart framing and text fields on top of the file itself */
const MULTIPART_OVERHEAD_BYTES = 1024 * 1024;

/** 413 before reading the body when Content-Length already says it is too large. */
export function rejectOversizedUpload(request: FastifyRequest, maxBytes: number): void {
  const declared = Number(request.headers['content-length']);
  if (Number.isFinite(declared) && declared > maxBytes + MULTIPART_OVERHEAD_BYTES) {
    throw new AppError(413, 'payload_too_large', `upload of ${declared} bytes is larger than the limit of ${maxBytes} bytes`);
  }
}

/**
 * Reads a multipart upload: text fields plus exactly one file field named `file`,
 * streamed into the store's staging area. The caller commits or discards it.
 */
export async function receiveUpload(
  request: FastifyRequest,
  store: ArtifactStore,
): Promise<{ fields: Record<string, string>; staged: StagedArtifact; filename: string }> {
  if (!request.isMultipart()) {
    throw new AppError(400, 'bad_request', 'body: expected multipart/form-data with a "file" field');
  }
  const fields: Record<string, string> = {};
  let staged: StagedArtifact | undefined;
  let filename = '';
  try {
    for await (const part of guardedParts(request)) {
      if (part.type === 'file') {
        if (part.fieldname !== 'file' || staged) {
          part.file.resume();
          throw new AppError(400, 'bad_request', `body.${part.fieldname}: only one file, in the field "file", is accepted`);
        }
        filename = part.filename;
        staged = await store.stage(part.file);
        if (part.file.truncated) {
          throw new AppError(413, 'payload_too_large', `file is larger than the limit of ${store.maxBytes} bytes`);
        }
      } else {
        fields[part.fieldname] = String(part.value);
      }
    }
  } catch (err) {
    if (staged) await store.discard(staged);
    if ((err as { code?: string }).code === 'FST_REQ_FILE_TOO_LARGE') {
      throw new AppError(413, 'payload_too_large', `file is larger than the limit of ${store.maxBytes} bytes`);
    }
    throw multipartReadError(err);
  }
  if (!staged) throw new AppError(400, 'bad_request', 'body.file: a file is required');
  return { fields, staged, filename };
}

/** Parses an upload's text fields; 400 naming the first offending field. */
export function parseUploadFields<S extends z.ZodType>(schema: S, fields: unknown, prefix = 'body'): z.infer<S> {
  const parsed = schema.safeParse(fields);
  if (parsed.success) return parsed.data;
  const issue = parsed.error.issues[0];
  const field = issue?.code === 'unrecognized_keys' ? issue.keys.join(', ') : (issue?.path.join('.') ?? '');
  throw new AppError(400, 'bad_request', `${prefix}${field ? `.${field}` : ''}: ${issue?.message ?? 'invalid'}`, { fields: parsed.error.issues });
}

/** Runs `accept` with staged uploads and discards whatever of them is still staged afterwards, whatever happened. */
export async function withStaged<T>(store: ArtifactStore, staged: readonly StagedArtifact[], accept: () => Promise<T>): Promise<T> {
  try {
    return await accept();
  } finally {
    for (const s of staged) await store.discard(s);
  }
}

/**
 * Stores staged uploads together with the row that points at them, in one transaction: the row is
 * inserted first (a concurrent upload of the same unique key waits on that insert, then fails), and
 * the blobs are moved into the store before the transaction commits, so a committed row always finds
 * its bytes. Returns null when a concurrent request won the unique key: the caller re-reads that row.
 *
 * Blobs are never deleted here. Identical bytes uploaded as another version, or by a racing twin,
 * share the blob; a failure after a blob was moved in leaves it unreferenced, never a row without it.
 */
export async function storeWithRow<T>(
  db: Db,
  store: ArtifactStore,
  staged: readonly StagedArtifact[],
  insert: (tx: Prisma.TransactionClient) => Promise<T>,
): Promise<T | null> {
  try {
    return await db.$transaction(
      async (tx) => {
        const row = await insert(tx);
        for (const s of staged) await store.commit(s);
        return row;
      },
      { maxWait: 10_000, timeout: 60_000 },
    );
  } catch (err) {
    if (uniqueViolation(err)) return null;
    throw err;
  }
}

/**
 * Sets the status and returns the body for the handler to return: Fastify then sends it only once
 * `withStaged` has discarded the staging files (a `reply.send()` inside it would answer first).
 */
export function answerWith<T>(reply: { status(code: number): unknown }, status: number, body: T): T {
  reply.status(status);
  return body;
}
