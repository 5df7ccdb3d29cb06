import { createHash } from 'node:crypto';

/**
 * Plain-SQL helpers for the read paths in this folder. They run on `app.sql` (plugins/db.ts) and map
 * rows straight to contract shapes; each read has a test comparing it with the Prisma mapping.
 */

/**
 * A Prisma DateTime column (timestamp(3) holding UTC) as the string `Date#toISOString` gives: done in
 * SQL, because pg reads a timestamp without time zone in the process's local zone.
 */
export const iso = (column: string) => `to_char(${column}, 'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"')`;

/** Collects positional parameters while a query is assembled: `p.add(v)` returns `$n`. */
export class Params {
  readonly values: unknown[] = [];
  add(v: unknown): string {
    this.values.push(v);
    return `$${this.values.length}`;
  }
}

const names = new Map<string, string>();

/**
 * A prepared (named) query: each pooled connection plans it once, not on every call (planning a
 * 7-table join costs more than running it). The name follows from the text, so two texts never
 * share one; the texts come from a handful of query shapes, never from values.
 */
export function prepared(text: string, values: unknown[]): { name: string; text: string; values: unknown[] } {
  let name = names.get(text);
  if (!name) {
    name = `ep_${createHash('sha256').update(text).digest('hex').slice(0, 24)}`;
    names.set(text, name);
  }
  return { name, text, values };
}
