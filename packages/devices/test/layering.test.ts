/**
 * The import rule of packages/devices/src (packages/devices/README.md): the platform folders
 * android/, browser/ and host/ import only from the floor below them, never from each other; floor
 * code never imports a platform folder (only index.ts and registry.ts sit above the platforms); the
 * floor folders import each other without a cycle; every folder says what belongs there (README.md).
 */
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { dirname, join, relative, resolve, sep } from 'node:path';
import { describe, expect, it } from 'vitest';

const SRC = resolve(import.meta.dirname, '../src');
const PLATFORMS = new Set(['android', 'browser', 'host']);
/** root files above the platforms: they put the drivers together */
const TOP = new Set(['index.ts', 'registry.ts']);

/** Module specifiers of `... from '…'`, `import '…'` and `import('…')`. */
function importSpecifiers(text: string): string[] {
  const out: string[] = [];
  for (const re of [/\bfrom\s*(['"])([^'"]+)\1/g, /\bimport\s*\(\s*(['"])([^'"]+)\1\s*\)/g, /^\s*import\s*(['"])([^'"]+)\1/gm]) {
    for (const m of text.matchAll(re)) out.push(m[2] as string);
  }
  return out;
}

function tsFiles(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const path = join(dir, name);
    if (statSync(path).isDirectory()) return tsFiles(path);
    return name.endsWith('.ts') ? [path] : [];
  });
}

/** 'host', 'web-harness', ... or '' for a file directly in src/. */
function folderOf(pathInSrc: string): string {
  const parts = pathInSrc.split(sep);
  return parts.length > 1 ? (parts[0] as string) : '';
}

interface Edge {
  file: string;
  from: string;
  target: string;
  to: string;
}

/** Every relative import of a file in src/ that lands in src/, with the folders on both ends. */
function edges(): Edge[] {
  return tsFiles(SRC).flatMap((abs) => {
    const file = relative(SRC, abs);
    return importSpecifiers(readFileSync(abs, 'utf8'))
      .filter((s) => s.startsWith('.'))
      .map((s) => relative(SRC, resolve(dirname(abs), s)))
      .filter((target) => !target.startsWith('..'))
      .map((target) => ({ file, from: folderOf(file), target, to: folderOf(target) }));
  });
}

const show = (e: Edge) => `${e.file} imports ${e.target}`;

describe('packages/devices/src layering', () => {
  const all = edges();

  it('finds the imports it checks (relative, import(), re-exports)', () => {
    expect(importSpecifiers("import { a } from '../browser/x.ts';\nexport type { B } from \"./y.ts\";\nconst c = await import('../host/z.ts');\nimport './side.ts';")).toEqual([
      '../browser/x.ts',
      './y.ts',
      '../host/z.ts',
      './side.ts',
    ]);
    expect(all.length).toBeGreaterThan(100);
    // every platform and floor folder has files that import something of src/
    expect(new Set(all.map((e) => e.from))).toEqual(new Set([...PLATFORMS, '', 'inputs', 'reference', 'web-harness', 'feature']));
  });

  it('platform folders never import one another', () => {
    const crossing = all.filter((e) => PLATFORMS.has(e.from) && PLATFORMS.has(e.to) && e.from !== e.to);
    expect(crossing.map(show)).toEqual([]);
  });

  it('floor code never imports a platform folder', () => {
    const upward = all.filter((e) => !PLATFORMS.has(e.from) && !(e.from === '' && TOP.has(e.file)) && PLATFORMS.has(e.to));
    expect(upward.map(show)).toEqual([]);
  });

  it('floor folders import each other without a cycle', () => {
    const graph = new Map<string, Set<string>>();
    for (const e of all) {
      if (PLATFORMS.has(e.from) || PLATFORMS.has(e.to) || e.from === '' || e.to === '' || e.from === e.to) continue;
      graph.set(e.from, (graph.get(e.from) ?? new Set()).add(e.to));
    }
    const cycles: string[] = [];
    const visit = (node: string, path: string[]) => {
      for (const next of graph.get(node) ?? []) {
        if (path.includes(next)) cycles.push([...path.slice(path.indexOf(next)), next].join(' → '));
        else visit(next, [...path, next]);
      }
    };
    for (const start of graph.keys()) visit(start, [start]);
    expect(cycles).toEqual([]);
  });

  it('every folder has a README.md saying what belongs there', () => {
    const folders = readdirSync(SRC).filter((n) => statSync(join(SRC, n)).isDirectory());
    expect(folders.filter((f) => !existsSync(join(SRC, f, 'README.md')))).toEqual([]);
  });
});
