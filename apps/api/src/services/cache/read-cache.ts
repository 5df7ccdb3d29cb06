/**
 * An in-process cache whose entries live until a change notification drops them (no expiry timer).
 * Entries sit in groups (e.g. all scopes of one model) so that one notification drops a group.
 *
 * The race it closes: a request reads the database, the change commits and its notification is
 * handled, then the request stores what it read, which is already stale. So a read takes a ticket
 * (the cache's generation) before it queries; every invalidation raises the generation, and `set`
 * refuses a ticket older than the current generation.
 */
export class ReadCache<V> {
  readonly #groups = new Map<string, Map<string, V>>();
  #generation = 0;
  #size = 0;

  constructor(
    /** serves and stores only while the feed that invalidates it is live */
    private readonly feed: { readonly live: boolean },
    private readonly maxEntries = 10_000,
  ) {}

  get size(): number {
    return this.#size;
  }

  get(group: string, key: string): V | undefined {
    if (!this.feed.live) return undefined;
    return this.#groups.get(group)?.get(key);
  }

  /** Take before reading the database; hand to `set` with what was read. */
  ticket(): number {
    return this.#generation;
  }

  /** Stores unless something was invalidated since `ticket` was taken (or the feed is down). */
  set(ticket: number, group: string, key: string, value: V): boolean {
    if (!this.feed.live || ticket !== this.#generation) return false;
    let entries = this.#groups.get(group);
    if (!entries) {
      entries = new Map();
      this.#groups.set(group, entries);
    }
    if (!entries.has(key)) this.#size++;
    entries.set(key, value);
    // oldest groups go first (Map keeps insertion order)
    while (this.#size > this.maxEntries) {
      const [oldest, dropped] = this.#groups.entries().next().value as [string, Map<string, V>];
      this.#groups.delete(oldest);
      this.#size -= dropped.size;
    }
    return true;
  }

  invalidate(group: string): void {
    this.#generation++;
    const dropped = this.#groups.get(group);
    if (!dropped) return;
    this.#groups.delete(group);
    this.#size -= dropped.size;
  }

  clear(): void {
    this.#generation++;
    this.#groups.clear();
    this.#size = 0;
  }
}
