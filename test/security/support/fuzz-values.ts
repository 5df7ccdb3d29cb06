/**
 * Values for the fuzz test: a seeded random source, a sampler that turns a route's JSON schema (from
 * its zod schema) into a plausible value, and mutators that break such a value the ways clients do.
 */
import { randomUUID } from 'node:crypto';
import { seededRandom } from '@edgeproof/metrics';

export interface Rng {
  next(): number;
  int(n: number): number;
  chance(p: number): boolean;
  pick<T>(xs: readonly T[]): T;
  weighted<T>(items: ReadonlyArray<readonly [T, number]>): T;
  uuid(): string;
  bytes(n: number): Buffer;
}

export function createFuzzRng(seed: number): Rng {
  const next = seededRandom(seed);
  const int = (n: number) => Math.floor(next() * n);
  return {
    next,
    int,
    chance: (p) => next() < p,
    pick: (xs) => {
      if (!xs.length) throw new Error('pick from an empty list');
      return xs[int(xs.length)] as (typeof xs)[number];
    },
    weighted: (items) => {
      let x = next() * items.reduce((s, [, w]) => s + w, 0);
      for (const [item, w] of items) if ((x -= w) < 0) return item;
      return (items[items.length - 1] as readonly [never, number])[0];
    },
    // random but seeded, so a failing request can be replayed from the seed
    uuid: () => {
      const h = Array.from({ length: 32 }, () => int(16).toString(16));
      h[12] = '4';
      h[16] = '89ab'[int(4)] as string;
      const s = h.join('');
      return `${s.slice(0, 8)}-${s.slice(8, 12)}-${s.slice(12, 16)}-${s.slice(16, 20)}-${s.slice(20)}`;
    },
    bytes: (n) => Buffer.from(Array.from({ length: n }, () => int(256))),
  };
}

export { randomUUID };

/** Strings that have broken parsers before: empty, huge, control characters, lone surrogates, paths, injections. */
export const NASTY_STRINGS: readonly string[] = [
  '',
  ' ',
  '\u0000',
  'null',
  'undefined',
  'NaN',
  'Infinity',
  '-Infinity',
  '-0',
  '1e309',
  '0x1F',
  '9007199254740993',
  '-1',
  'true',
  '../../../../etc/passwd',
  '..%2f..%2fetc%2fpasswd',
  '%00',
  '%',
  '%zz',
  "' OR 1=1 --",
  '"; DROP TABLE "Model"; --',
  '${process.exit()}',
  '__proto__',
  'constructor',
  'prototype',
  '\ud800',
  '\udfff\ud800',
  '😀🚀🔥',
  'ﷺ٭ש',
  '\u202e\u2066',
  'Ω≈ç√∫',
  '\r\n\r\n',
  'a\nb',
  '\t',
  '<script>alert(1)</script>',
  '{"a":1}',
  '[]',
  '2026-13-45T99:99:99Z',
  '1970-01-01T00:00:00Z',
  '9999-12-31T23:59:59.999Z',
  '00000000-0000-0000-0000-000000000000',
  'ffffffff-ffff-ffff-ffff-ffffffffffff',
  'ZZZZZZZZ-ZZZZ-ZZZZ-ZZZZ-ZZZZZZZZZZZZ',
];

export const NASTY_NUMBERS: readonly number[] = [0, -0, -1, 1, 0.5, -0.5, 1e-300, 1e308, -1e308, 2 ** 31, 2 ** 31 - 1, 2 ** 32, 2 ** 53, 2 ** 53 + 2, -(2 ** 53), 2 ** 63, 123456789.123];

export function nastyString(r: Rng): string {
  const kind = r.int(8);
  if (kind === 0) return 'x'.repeat(r.pick([101, 201, 1001, 10_001, 100_001, 1_000_001]));
  if (kind === 1) return Array.from({ length: r.int(40) + 1 }, () => String.fromCharCode(r.int(0x10000))).join('');
  if (kind === 2) return r.bytes(r.int(64) + 1).toString('latin1');
  return r.pick(NASTY_STRINGS);
}

/** Any JSON value, of a random shape. */
export function randomJson(r: Rng, depth = 0): unknown {
  const k = r.int(depth > 3 ? 4 : 7);
  if (k === 0) return nastyString(r);
  if (k === 1) return r.pick(NASTY_NUMBERS);
  if (k === 2) return r.chance(0.5);
  if (k === 3) return null;
  if (k === 4) return Array.from({ length: r.int(4) }, () => randomJson(r, depth + 1));
  if (k === 5) return Object.fromEntries(Array.from({ length: r.int(4) }, () => [r.chance(0.3) ? nastyString(r) : `k${r.int(100)}`, randomJson(r, depth + 1)]));
  return r.pick(['', 'a', 'fuzz', '1.0.0']);
}

/** A value nested `depth` levels deep: [[[...]]] or {"a":{"a":...}}. */
export function deepNest(depth: number, asObject: boolean): unknown {
  let v: unknown = 1;
  for (let i = 0; i < depth; i++) v = asObject ? { a: v } : [v];
  return v;
}

type Schema = Record<string, unknown>;

/** What the sampler may reach for: values that exist in the API (names, ids) by property name. */
export interface SampleHints {
  /** candidate strings for a property or parameter name (existing names, ids, versions) */
  strings(key: string): readonly string[];
}

const ALNUM = 'abcdefghijklmnopqrstuvwxyz0123456789';
const SAFE_STRINGS = ['a', 'fuzz', 'x1', '1', '1.0.0', '2.0.0', '12.1', '0', 'production', 'android', 'linux', 'host', 'onnxruntime-node', 'ms', 'abc-DEF_1.2'];

function patternOk(pattern: string | undefined, s: string): boolean {
  if (!pattern) return true;
  try {
    return new RegExp(pattern, 'u').test(s);
  } catch {
    return true;
  }
}

function sampleString(r: Rng, s: Schema, key: string, hints: SampleHints): string {
  if (s.format === 'uuid') {
    const known = hints.strings(key).filter((x) => /^[0-9a-f-]{36}$/.test(x));
    return known.length && r.chance(0.8) ? r.pick(known) : r.uuid();
  }
  if (s.format === 'date-time') return new Date(Date.UTC(2030, r.int(12), r.int(28) + 1)).toISOString();
  const pattern = s.pattern as string | undefined;
  const min = (s.minLength as number | undefined) ?? 0;
  const max = (s.maxLength as number | undefined) ?? 40;
  const fits = (x: string) => x.length >= min && x.length <= max && patternOk(pattern, x);
  const known = hints.strings(key).filter(fits);
  if (known.length && r.chance(0.85)) return r.pick(known);
  if (pattern === '^[0-9a-f]{64}$') return r.bytes(32).toString('hex');
  const candidates = SAFE_STRINGS.filter(fits);
  if (candidates.length && r.chance(0.5)) return r.pick(candidates);
  for (let i = 0; i < 5; i++) {
    const len = Math.max(min, Math.min(max, r.int(12) + 1));
    const s2 = Array.from({ length: len }, () => ALNUM[r.int(ALNUM.length)]).join('');
    if (fits(s2)) return s2;
  }
  return candidates[0] ?? 'a'.repeat(Math.max(1, min));
}

function sampleNumber(r: Rng, s: Schema, integer: boolean): number {
  const lo = (s.minimum as number | undefined) ?? ((s.exclusiveMinimum as number | undefined) !== undefined ? (s.exclusiveMinimum as number) + 1 : 0);
  const hiRaw = (s.maximum as number | undefined) ?? ((s.exclusiveMaximum as number | undefined) !== undefined ? (s.exclusiveMaximum as number) - 1 : lo + 100);
  const hi = Math.min(hiRaw, lo + 1000);
  const v = r.chance(0.3) ? lo : lo + r.next() * (hi - lo);
  return integer ? Math.min(Math.ceil(v), Math.floor(hiRaw)) : v;
}

/** A value that should satisfy the JSON schema (the route's zod schema, io: input); may miss refinements. */
export function sampleSchema(r: Rng, root: Schema, hints: SampleHints): unknown {
  const defs = (root.$defs ?? root.definitions ?? {}) as Record<string, Schema>;
  const walk = (s: Schema, key: string, depth: number): unknown => {
    if (typeof s.$ref === 'string') {
      const ref = defs[s.$ref.split('/').pop() as string];
      return depth > 6 || !ref ? {} : walk(ref, key, depth + 1);
    }
    if ('const' in s) return s.const;
    if (Array.isArray(s.enum)) return r.pick(s.enum);
    const union = (s.anyOf ?? s.oneOf) as Schema[] | undefined;
    if (union?.length) return walk(r.pick(union), key, depth + 1);
    if (Array.isArray(s.allOf)) return Object.assign({}, ...(s.allOf as Schema[]).map((x) => walk(x, key, depth + 1)));
    const type = Array.isArray(s.type) ? r.pick(s.type as string[]) : (s.type as string | undefined);
    switch (type) {
      case 'object': {
        const out: Record<string, unknown> = {};
        const props = (s.properties ?? {}) as Record<string, Schema>;
        const required = new Set((s.required ?? []) as string[]);
        for (const [k, sub] of Object.entries(props)) {
          if (required.has(k) || (depth < 5 && r.chance(0.5))) out[k] = walk(sub, k, depth + 1);
        }
        const extra = s.additionalProperties;
        if (extra && typeof extra === 'object' && depth < 5) {
          for (let i = r.int(3); i > 0; i--) out[sampleString(r, ((s.propertyNames as Schema | undefined) ?? {}), `${key}.key`, hints)] = walk(extra as Schema, key, depth + 1);
        }
        return out;
      }
      case 'array': {
        const min = (s.minItems as number | undefined) ?? 0;
        const max = Math.min((s.maxItems as number | undefined) ?? min + 3, min + 3);
        const n = depth > 5 ? min : min + r.int(max - min + 1);
        if (Array.isArray(s.prefixItems)) return (s.prefixItems as Schema[]).map((x) => walk(x, key, depth + 1));
        return Array.from({ length: n }, () => walk((s.items ?? {}) as Schema, key, depth + 1));
      }
      case 'string':
        return sampleString(r, s, key, hints);
      case 'integer':
        return sampleNumber(r, s, true);
      case 'number':
        return sampleNumber(r, s, false);
      case 'boolean':
        return r.chance(0.5);
      case 'null':
        return null;
      default:
        return depth > 4 ? null : randomJson(r, 2);
    }
  };
  return walk(root, '', 0);
}

/** One way of breaking a JSON value: a new value for one node, or the node removed (undefined). */
function breakNode(r: Rng, v: unknown): unknown {
  switch (r.int(12)) {
    case 0:
      return undefined;
    case 1:
      return null;
    case 2:
      return nastyString(r);
    case 3:
      return r.pick(NASTY_NUMBERS);
    case 4:
      return typeof v === 'string' ? Number(v) || 0 : typeof v === 'number' ? String(v) : r.chance(0.5);
    case 5:
      return Array.isArray(v) ? [] : [v];
    case 6:
      return deepNest(r.pick([50, 500, 3000]), r.chance(0.5));
    case 7:
      return Array.from({ length: r.pick([1001, 10_001, 100_001]) }, () => (typeof v === 'string' && v.length < 100 ? v : r.pick([0, 'x', null, {}, []])));
    case 8:
      return { ...(v && typeof v === 'object' ? v : {}), [r.pick(['__proto__', 'constructor', 'extra', nastyString(r)])]: randomJson(r) };
    case 9:
      return typeof v === 'string' ? v + r.pick(['\u0000', ' ', '😀', 'x'.repeat(300), '\ud800']) : {};
    case 10:
      return typeof v === 'number' ? r.pick([v + 0.5, -v - 1, v * 1e6, Number.MAX_SAFE_INTEGER + 2]) : randomJson(r);
    default:
      return randomJson(r);
  }
}

/** Paths to every node of a JSON value (objects and arrays), depth-first, at most `limit`. */
function nodePaths(v: unknown, limit = 200): Array<Array<string | number>> {
  const out: Array<Array<string | number>> = [[]];
  const walk = (x: unknown, path: Array<string | number>) => {
    if (out.length >= limit || x === null || typeof x !== 'object') return;
    for (const [k, child] of Array.isArray(x) ? x.map((c, i) => [i, c] as const) : Object.entries(x)) {
      const p = [...path, k];
      out.push(p);
      walk(child, p);
    }
  };
  walk(v, []);
  return out;
}

function setAt(root: unknown, path: Array<string | number>, value: unknown): unknown {
  if (!path.length) return value;
  const copy: unknown = Array.isArray(root) ? [...root] : { ...(root as object) };
  const [head, ...rest] = path as [string | number, ...Array<string | number>];
  const container = copy as Record<string | number, unknown>;
  const next = setAt(container[head], rest, value);
  if (next === undefined) {
    if (Array.isArray(container)) container.splice(head as number, 1);
    else delete container[head];
  } else container[head] = next;
  return copy;
}

export function getAt(root: unknown, path: Array<string | number>): unknown {
  return path.reduce<unknown>((x, k) => (x && typeof x === 'object' ? (x as Record<string | number, unknown>)[k] : undefined), root);
}

/** `count` breakages at random nodes of a copy of `value`. */
export function mutate(r: Rng, value: unknown, count: number): unknown {
  let v = value;
  for (let i = 0; i < count; i++) {
    const paths = nodePaths(v);
    const path = r.pick(paths);
    const next = setAt(v, path, breakNode(r, getAt(v, path)));
    v = next === undefined ? {} : next;
  }
  return v;
}

/** Smaller versions of a JSON value, for minimizing a failing request: each node removed or emptied. */
export function* shrinkJson(value: unknown): Generator<unknown> {
  for (const path of nodePaths(value, 400).slice(1).reverse()) {
    const removed = setAt(value, path, undefined);
    if (removed !== undefined) yield removed;
  }
  for (const path of nodePaths(value, 400)) {
    const node = getAt(value, path);
    if (Array.isArray(node) && node.length > 1) yield setAt(value, path, node.slice(0, Math.ceil(node.length / 2)));
    if (typeof node === 'string' && node.length > 1) yield setAt(value, path, node.slice(0, Math.ceil(node.length / 2)));
  }
}
