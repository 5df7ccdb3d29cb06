/**
 * Builds the publishable CLI into apps/cli/dist: one ES module with the workspace packages
 * (@edgeproof/*) bundled in, every third-party import left to npm as a dependency of the generated
 * package.json (docs/adr/0007). `--pack` also runs `npm pack` there and prints the tarball's path.
 *
 *   npm run build -w @edgeproof/cli           # → apps/cli/dist
 *   npm run pack -w @edgeproof/cli            # → apps/cli/dist/edgeproof-cli-<version>.tgz
 */
import { execFileSync } from 'node:child_process';
import { copyFile, mkdir, readFile, rm, writeFile } from 'node:fs/promises';
import { isBuiltin } from 'node:module';
import { join } from 'node:path';
import { build, type Plugin } from 'esbuild';

const cliDir = join(import.meta.dirname, '..');
const repoRoot = join(cliDir, '../..');
const defaultDistDir = join(cliDir, 'dist');

interface Manifest {
  name: string;
  version: string;
  description?: string;
  license?: string;
  dependencies?: Record<string, string>;
  devDependencies?: Record<string, string>;
  engines?: Record<string, string>;
}

const readManifest = async (path: string): Promise<Manifest> => JSON.parse(await readFile(path, 'utf8')) as Manifest;

/** 'csv-parse/sync' → 'csv-parse', '@scope/pkg/x' → '@scope/pkg' */
const packageName = (spec: string) => spec.split('/').slice(0, spec.startsWith('@') ? 2 : 1).join('/');

/** Leaves every third-party import external and records which packages the bundle needs. */
function externals(used: Set<string>): Plugin {
  return {
    name: 'edgeproof-externals',
    setup(b) {
      b.onResolve({ filter: /^[^./]/ }, (args) => {
        if (isBuiltin(args.path)) return { external: true };
        if (args.path.startsWith('@edgeproof/')) return undefined;
        used.add(packageName(args.path));
        return { external: true };
      });
    },
  };
}

/** The version range the workspace already uses for each package the bundle imports. */
async function dependencyRanges(used: Set<string>): Promise<Record<string, string>> {
  const root = await readManifest(join(repoRoot, 'package.json'));
  const workspaceDirs = execFileSync('npm', ['query', '.workspace'], { cwd: repoRoot, encoding: 'utf8' });
  const manifests = [root, ...(await Promise.all((JSON.parse(workspaceDirs) as { path: string }[]).map((w) => readManifest(join(w.path, 'package.json')))))];
  const ranges: Record<string, string> = {};
  for (const name of [...used].sort()) {
    const range = manifests.map((m) => m.dependencies?.[name] ?? m.devDependencies?.[name]).find((r) => r !== undefined);
    if (!range) throw new Error(`the CLI bundle imports ${name}, which no workspace package.json lists as a dependency`);
    ranges[name] = range;
  }
  return ranges;
}

/** `distDir`: where to build (tests use a temporary folder, so that two never share one). */
export async function buildCli(distDir: string = defaultDistDir): Promise<{ distDir: string; version: string }> {
  const cli = await readManifest(join(cliDir, 'package.json'));
  const root = await readManifest(join(repoRoot, 'package.json'));
  await rm(distDir, { recursive: true, force: true });
  await mkdir(distDir, { recursive: true });
  const used = new Set<string>();
  await build({
    entryPoints: [join(cliDir, 'src/main.ts')],
    outfile: join(distDir, 'edgeproof.js'),
    bundle: true,
    platform: 'node',
    format: 'esm',
    target: 'node20',
    sourcemap: false,
    legalComments: 'inline',
    define: { __EDGEPROOF_CLI_VERSION__: JSON.stringify(cli.version) },
    banner: { js: '#!/usr/bin/env node' },
    plugins: [externals(used)],
    logLevel: 'warning',
  });
  const manifest = {
    name: cli.name,
    version: cli.version,
    description: 'The edgeproof command: measure on-device ML models on real devices and gate their release from CI.',
    license: cli.license ?? root.license,
    type: 'module',
    bin: { edgeproof: 'edgeproof.js' },
    files: ['edgeproof.js', 'README.md'],
    engines: root.engines,
    dependencies: await dependencyRanges(used),
    publishConfig: { access: 'public' },
  };
  await writeFile(join(distDir, 'package.json'), `${JSON.stringify(manifest, null, 2)}\n`);
  await copyFile(join(cliDir, 'README.md'), join(distDir, 'README.md'));
  return { distDir, version: cli.version };
}

/** Runs `npm pack` in a built dist; returns the tarball's absolute path. */
export function packCli(distDir: string = defaultDistDir, destination: string = distDir): string {
  const out = execFileSync('npm', ['pack', '--json', '--pack-destination', destination], { cwd: distDir, encoding: 'utf8', stdio: ['ignore', 'pipe', 'inherit'] });
  const [info] = JSON.parse(out) as { filename: string }[];
  if (!info) throw new Error('npm pack printed no tarball');
  return join(destination, info.filename);
}

if (process.argv[1] === import.meta.filename) {
  const { version, distDir } = await buildCli();
  process.stdout.write(`built @edgeproof/cli ${version} into ${distDir}\n`);
  if (process.argv.includes('--pack')) process.stdout.write(`${packCli()}\n`);
}
