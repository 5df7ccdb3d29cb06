/** Keyset pages over rows ordered newest first; the cursor is the last row's id. */
export function pageArgs(query: { limit: number; cursor?: string | undefined }) {
  return {
    take: query.limit + 1,
    ...(query.cursor ? { cursor: { id: query.cursor }, skip: 1 } : {}),
    orderBy: [{ createdAt: 'desc' as const }, { id: 'desc' as const }],
  };
}

export function toPage<T extends { id: string }, O>(rows: T[], limit: number, map: (row: T) => O) {
  const more = rows.length > limit;
  const items = more ? rows.slice(0, limit) : rows;
  return { items: items.map(map), nextCursor: more ? (items[items.length - 1]?.id ?? null) : null };
}
