import { randomBytes } from 'node:crypto';
import { mkdir, readFile, rename, rm, stat, writeFile } from 'node:fs/promises';
import { join } from 'node:path';

export type Downloader = (sha256: string, destPath: string) => Promise<{ sha256: string; sizeBytes: number }>;

/** A downloaded artifact whose bytes do not hash to the sha256 it was asked for. */
export class ArtifactIntegrityError extends Error {
  override name = 'ArtifactIntegrityError';
}

const SHA256 = /^[0-9a-f]{64}$/;

/**
 * Content-addressed local copies of models and datasets. A download goes to a temporary file, is hashed
 * and only then renamed into place, so a present file is complete; later hits check only its size
 * against the size recorded beside it.
 */
export class ArtifactCache {
  readonly #dir: string;
  readonly #download: Downloader;
  readonly #inFlight = new Map<string, Promise<string>>();

  constructor(dir: string, download: Downloader) {
    this.#dir = dir;
    this.#download = download;
  }

  /** Local path of the artifact, downloading it on a miss. */
  get(sha256: string): Promise<string> {
    if (!SHA256.test(sha256)) return Promise.reject(new Error(`not a sha256: ${JSON.stringify(sha256)}`));
    let pending = this.#inFlight.get(sha256);
    if (!pending) {
      pending = this.#get(sha256).finally(() => this.#inFlight.delete(sha256));
      this.#inFlight.set(sha256, pending);
    }
    return pending;
  }

  async #get(sha256: string): Promise<string> {
    const path = join(this.#dir, sha256);
    const sizePath = `${path}.size`;
    if (await this.#hit(path, sizePath)) return path;

    await mkdir(this.#dir, { recursive: true });
    const tmp = join(this.#dir, `.tmp-${sha256}-${randomBytes(4).toString('hex')}`);
    try {
      const got = await this.#download(sha256, tmp);
      if (got.sha256 !== sha256) {
        throw new ArtifactIntegrityError(`artifact ${sha256}: downloaded bytes hash to ${got.sha256}`);
      }
      await writeFile(sizePath, String(got.sizeBytes));
      await rename(tmp, path);
      return path;
    } finally {
      await rm(tmp, { force: true });
    }
  }

  async #hit(path: string, sizePath: string): Promise<boolean> {
    try {
      const [st, recorded] = await Promise.all([stat(path), readFile(sizePath, 'utf8')]);
      return st.isFile() && st.size === Number(recorded.trim());
    } catch {
      return false;
    }
  }
}
