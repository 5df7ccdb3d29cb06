import { GatePolicy } from '@edgeproof/contracts';
import { isMap, isNode, isScalar, LineCounter, parseDocument, visit } from 'yaml';

export interface PolicyIssue {
  /** path of the offending field, e.g. "rules[0].maxx" ("" for the whole file) */
  path: string;
  /** 1-based line and column in the file, when known */
  line: number | null;
  column: number | null;
  message: string;
}

/** A policy that does not parse or validate; `message` names the file, each field path and what was expected. */
export class PolicyError extends Error {
  override name = 'PolicyError';
  constructor(
    readonly file: string,
    readonly issues: PolicyIssue[],
  ) {
    super(issues.map((i) => `${file}${i.line !== null ? `:${i.line}:${i.column}` : ''}: ${i.path ? `${i.path}: ` : ''}${i.message}`).join('\n'));
  }
}

export function formatPath(path: readonly PropertyKey[]): string {
  return path.reduce<string>((s, k) => (typeof k === 'number' ? `${s}[${k}]` : s ? `${s}.${String(k)}` : String(k)), '');
}

/**
 * The largest policy source parsePolicy reads, in characters. The yaml parser needs about 2 µs per
 * character on the event loop; real policies are 1-5 KiB.
 */
export const MAX_POLICY_SOURCE_CHARS = 16 * 1024;
/** Aliases a policy may expand (the yaml default); more is refused as an alias bomb. */
const MAX_ALIAS_COUNT = 100;

/**
 * Parses a YAML (or JSON) gate policy and validates it. Throws PolicyError with one issue per
 * problem: YAML syntax errors with their position, schema violations with the field path. Time and
 * memory are bounded: the source is capped, aliases are capped, and duplicate keys are found in one
 * pass (the yaml package's own check is quadratic in the size of a map).
 */
export function parsePolicy(text: string, file = 'policy'): GatePolicy {
  if (text.length > MAX_POLICY_SOURCE_CHARS) {
    throw new PolicyError(file, [{ path: '', line: null, column: null, message: `policy is ${text.length} characters, longer than the limit of ${MAX_POLICY_SOURCE_CHARS}` }]);
  }
  const lineCounter = new LineCounter();
  let doc: ReturnType<typeof parseDocument>;
  let value: unknown;
  try {
    doc = parseDocument(text, { lineCounter, prettyErrors: false, uniqueKeys: false });
    if (doc.errors.length > 0) {
      throw new PolicyError(
        file,
        doc.errors.map((e) => {
          const pos = lineCounter.linePos(e.pos[0]);
          return { path: '', line: pos.line, column: pos.col, message: `YAML: ${e.message.split('\n')[0] ?? e.code}` };
        }),
      );
    }
    const duplicate = firstDuplicateKey(doc);
    if (duplicate) {
      const pos = lineCounter.linePos(duplicate.offset);
      throw new PolicyError(file, [{ path: '', line: pos.line, column: pos.col, message: `YAML: Map keys must be unique ("${duplicate.key}" appears twice)` }]);
    }
    value = doc.toJS({ maxAliasCount: MAX_ALIAS_COUNT });
  } catch (err) {
    if (err instanceof PolicyError) throw err;
    // yaml throws ReferenceError for an alias bomb; deep nesting overflows the stack (RangeError)
    if (err instanceof ReferenceError || err instanceof RangeError) {
      const message = err instanceof ReferenceError ? `more than ${MAX_ALIAS_COUNT} alias expansions (${err.message})` : 'nested too deeply';
      throw new PolicyError(file, [{ path: '', line: null, column: null, message: `YAML: ${message}` }]);
    }
    throw err;
  }
  if (value === null || typeof value !== 'object' || Array.isArray(value)) {
    throw new PolicyError(file, [{ path: '', line: 1, column: 1, message: 'expected a mapping with at least "version: 1" and "rules"' }]);
  }
  const parsed = GatePolicy.safeParse(value);
  if (parsed.success) return parsed.data;
  const issues = parsed.error.issues.map((issue): PolicyIssue => {
    const keys = issue.code === 'unrecognized_keys' ? issue.keys : [];
    const path = keys.length === 1 ? [...issue.path, keys[0] as string] : issue.path;
    const message =
      issue.code === 'unrecognized_keys'
        ? `unknown field${keys.length > 1 ? `s ${keys.map((k) => `"${k}"`).join(', ')}` : ''} (not part of the policy schema; check the spelling)`
        : issue.message;
    const node = nodeAt(doc, path);
    const pos = node?.range ? lineCounter.linePos(node.range[0]) : null;
    return { path: formatPath(path), line: pos?.line ?? null, column: pos?.col ?? null, message };
  });
  throw new PolicyError(file, issues);
}

/** The YAML node at a path; for an unknown key, its key node. Falls back to the nearest parent. */
function nodeAt(doc: ReturnType<typeof parseDocument>, path: readonly PropertyKey[]): { range?: [number, number, number] | null | undefined } | undefined {
  for (let n = path.length; n >= 0; n--) {
    const parentPath = path.slice(0, n) as (string | number)[];
    if (n === path.length && n > 0) {
      const parent = doc.getIn(parentPath.slice(0, -1), true);
      const last = parentPath[parentPath.length - 1];
      if (parent && typeof parent === 'object' && 'items' in parent && Array.isArray(parent.items)) {
        for (const item of parent.items as unknown[]) {
          if (item && typeof item === 'object' && 'key' in item) {
            const key = (item as { key: unknown }).key;
            if (isNode(key) && (key as { value?: unknown }).value === last) return key as { range?: [number, number, number] };
          }
        }
      }
    }
    const node = doc.getIn(parentPath, true);
    if (isNode(node)) return node;
  }
  return undefined;
}

/** The first key that repeats in one mapping, with its offset; linear in the document. */
function firstDuplicateKey(doc: ReturnType<typeof parseDocument>): { key: string; offset: number } | null {
  let found: { key: string; offset: number } | null = null;
  visit(doc, {
    Map(_, map) {
      if (!isMap(map)) return undefined;
      const seen = new Set<unknown>();
      for (const pair of map.items) {
        const key = pair.key;
        if (!isScalar(key)) continue;
        if (seen.has(key.value)) {
          found = { key: String(key.value), offset: key.range?.[0] ?? 0 };
          return visit.BREAK;
        }
        seen.add(key.value);
      }
      return undefined;
    },
  });
  return found;
}
