import type { FastifyRequest } from 'fastify';
import { AppError, multipartReadError } from '../errors.ts';
import type { ArtifactStore, StagedArtifact } from './artifact-store.ts';
import { guardedParts } from './multipart-parts.ts';

/**
 * Reads a multipart upload with several named file fields (each staged in the store) and text fields.
 * Unknown file fields, repeated ones and missing required ones are 400; on any error every staged
 * file is discarded. The caller commits or discards the rest.
 */
export async function receiveFiles<K extends string>(
  request: FastifyRequest,
  store: ArtifactStore,
  names: readonly K[],
): Promise<{ fields: Record<string, string>; files: Record<K, StagedArtifact> }> {
  if (!request.isMultipart()) {
    throw new AppError(400, 'bad_request', `body: expected multipart/form-data with the files ${names.map((n) => `"${n}"`).join(', ')}`);
  }
  const fields: Record<string, string> = {};
  const files: Partial<Record<K, StagedArtifact>> = {};
  const discardAll = async () => {
    for (const f of Object.values(files) as StagedArtifact[]) await store.discard(f);
  };
  try {
    // the app-wide limit is one file per request; this route takes one per name
    for await (const part of guardedParts(request, { limits: { files: names.length, fileSize: store.maxBytes, fields: 20, fieldSize: 1024 * 1024 } })) {
      if (part.type === 'file') {
        const name = part.fieldname as K;
        if (!names.includes(name) || files[name]) {
          part.file.resume();
          throw new AppError(400, 'bad_request', `body.${part.fieldname}: expected one file each in ${names.map((n) => `"${n}"`).join(', ')}`);
        }
        files[name] = await store.stage(part.file);
        if (part.file.truncated) throw new AppError(413, 'payload_too_large', `body.${name}: file is larger than the limit of ${store.maxBytes} bytes`);
      } else {
        fields[part.fieldname] = String(part.value);
      }
    }
  } catch (err) {
    await discardAll();
    if ((err as { code?: string }).code === 'FST_REQ_FILE_TOO_LARGE') {
      throw new AppError(413, 'payload_too_large', `file is larger than the limit of ${store.maxBytes} bytes`);
    }
    throw multipartReadError(err);
  }
  const missing = names.filter((n) => !files[n]);
  if (missing.length) {
    await discardAll();
    throw new AppError(400, 'bad_request', `body.${missing[0]}: a file is required`);
  }
  return { fields, files: files as Record<K, StagedArtifact> };
}
