import { createHash, randomUUID } from 'node:crypto';
import { once } from 'node:events';
import { createReadStream, createWriteStream } from 'node:fs';
import { mkdir, rename, rm, stat } from 'node:fs/promises';
import { join } from 'node:path';
import { Transform, Writable, type Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { createGzip } from 'node:zlib';
import { AppError } from '../errors.ts';

export interface StagedArtifact {
  sha256: string;
  sizeBytes: number;
  gzipSizeBytes: number;
  /** where the bytes sit until commit() or discard() */
  path: string;
}

/**
 * Content-addressed blobs on the local filesystem: <root>/blobs/ab/abcdef….
 * Uploads stream to <root>/staging, are hashed and measured on the way, and are
 * moved into place only once the caller has accepted them.
 */
export class ArtifactStore {
  private readonly verified = new Map<string, number>();

  constructor(
    readonly root: string,
    readonly maxBytes: number,
  ) {}

  async init(): Promise<void> {
    await mkdir(join(this.root, 'staging'), { recursive: true });
    await mkdir(join(this.root, 'blobs'), { recursive: true });
  }

  blobPath(sha256: string): string {
    return join(this.root, 'blobs', sha256.slice(0, 2), sha256);
  }

  /** Streams `source` to a staging file; 413 as soon as it passes the size limit. */
  async stage(source: Readable): Promise<StagedArtifact> {
    const path = join(this.root, 'staging', randomUUID());
    const hash = createHash('sha256');
    let sizeBytes = 0;
    let gzipSizeBytes = 0;
    const gzip = createGzip();
    gzip.on('data', (chunk: Buffer) => {
      gzipSizeBytes += chunk.length;
    });
    const gzipDone = new Promise<void>((resolve, reject) => {
      gzip.on('end', resolve);
      gzip.on('error', reject);
    });
    const maxBytes = this.maxBytes;
    const meter = new Transform({
      transform(chunk: Buffer, _enc, done) {
        sizeBytes += chunk.length;
        if (sizeBytes > maxBytes) {
          done(new AppError(413, 'payload_too_large', `file is larger than the limit of ${maxBytes} bytes`));
          return;
        }
        hash.update(chunk);
        if (!gzip.write(chunk)) {
          gzip.once('drain', () => done(null, chunk));
          return;
        }
        done(null, chunk);
      },
    });
    const out = createWriteStream(path);
    try {
      await pipeline(source, meter, out);
      gzip.end();
      await gzipDone;
    } catch (err) {
      gzip.destroy();
      // a source that fails at once rejects the pipeline before the file is even open: removing it
      // before the write stream has opened (creating it) and closed would leave the file behind
      if (!out.closed) await once(out, 'close').catch(() => undefined);
      await rm(path, { force: true });
      throw err;
    }
    return { sha256: hash.digest('hex'), sizeBytes, gzipSizeBytes, path };
  }

  /**
   * Moves a staged file into the store. Returns false when identical bytes were already stored. Two
   * commits of the same bytes may both rename: rename replaces atomically, and the bytes are equal.
   * Blobs are never removed: a row may point at one at any time (see storeWithRow).
   */
  async commit(staged: StagedArtifact): Promise<boolean> {
    const target = this.blobPath(staged.sha256);
    if (await this.exists(staged.sha256)) {
      await rm(staged.path, { force: true });
      return false;
    }
    await mkdir(join(this.root, 'blobs', staged.sha256.slice(0, 2)), { recursive: true });
    await rename(staged.path, target);
    return true;
  }

  async discard(staged: StagedArtifact): Promise<void> {
    await rm(staged.path, { force: true });
  }

  async exists(sha256: string): Promise<boolean> {
    try {
      await stat(this.blobPath(sha256));
      return true;
    } catch {
      return false;
    }
  }

  /**
   * Opens a blob after checking that its bytes still hash to its name (bit rot, partial
   * copies). A check is remembered until the file's mtime changes.
   */
  async openVerified(sha256: string): Promise<{ stream: Readable; sizeBytes: number }> {
    const path = this.blobPath(sha256);
    let info;
    try {
      info = await stat(path);
    } catch {
      throw new AppError(404, 'not_found', `artifact ${sha256} not found`);
    }
    if (this.verified.get(sha256) !== info.mtimeMs) {
      const hash = createHash('sha256');
      await pipeline(
        createReadStream(path),
        new Writable({
          write(chunk: Buffer, _enc, done) {
            hash.update(chunk);
            done();
          },
        }),
      );
      if (hash.digest('hex') !== sha256) {
        throw new AppError(500, 'internal', `artifact ${sha256} failed its integrity check`);
      }
      this.verified.set(sha256, info.mtimeMs);
    }
    return { stream: createReadStream(path), sizeBytes: info.size };
  }
}
