import { createReadStream, openAsBlob } from 'node:fs';
import { createHash } from 'node:crypto';
import { basename } from 'node:path';
import { pipeline } from 'node:stream/promises';
import { EdgeproofClient as BrowserSafeClient, type FileInput } from './edgeproof.ts';

/**
 * The edgeproof API client for Node: everything the browser-safe client has, plus uploads from file
 * paths, sent as they are read from disk (a file-backed Blob: never held whole in memory).
 */
export class EdgeproofClient extends BrowserSafeClient {
  protected override async openFile(file: FileInput): Promise<{ blob: Blob; name: string }> {
    if (typeof file !== 'string') return file;
    return { blob: await openAsBlob(file), name: basename(file) };
  }
}

/** sha256 of a file, streamed. */
export async function sha256File(path: string): Promise<string> {
  const hash = createHash('sha256');
  await pipeline(createReadStream(path), hash);
  return hash.digest('hex');
}
