import { GatePolicy } from '@edgeproof/contracts';
import { LineCounter, parseDocument, isNode } from 'yaml';

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
 * Parses a YAML (or JSON) gate policy and validates it. Throws PolicyError with one issue per
 * problem: YAML syntax errors with their position, schema violations with the field path.
 */
export function parsePolicy(text: string, file = 'policy'): GatePolicy {
  const lineCounter = new LineCounter();
  const doc = parseDocument(text, { lineCounter, prettyErrors: false, uniqueKeys: true });
  if (doc.errors.length > 0) {
    throw new PolicyError(
      file,
      doc.errors.map((e) => {
        const pos = lineCounter.linePos(e.pos[0]);
        return { path: '', line: pos.line, column: pos.col, message: `YAML: ${e.message.split('\n')[0] ?? e.code}` };
      }),
    );
  }
  const value: unknown = doc.toJS();
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
