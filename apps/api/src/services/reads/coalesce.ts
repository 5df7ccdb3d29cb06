/**
 * Identical reads that arrive together share one query, and no answer predates its request: a
 * request that comes while the query for its key is running does not take that query's result
 * (its snapshot may be older than a write the caller just made); it waits for the next query,
 * which starts as soon as the running one ends and answers everyone who arrived meanwhile. So a
 * key has at most one query running and one waiting, however many dashboards poll it.
 * Only for answers that do not depend on who asks.
 */
export class Coalescer<T> {
  readonly #running = new Map<string, Promise<T>>();
  readonly #waiting = new Map<string, Promise<T>>();

  run(key: string, query: () => Promise<T>): Promise<T> {
    const waiting = this.#waiting.get(key);
    if (waiting) return waiting;
    const running = this.#running.get(key);
    if (!running) return this.#start(key, query);
    const next = running
      .catch(() => undefined)
      .then(() => {
        this.#waiting.delete(key);
        return this.#start(key, query);
      });
    this.#waiting.set(key, next);
    return next;
  }

  #start(key: string, query: () => Promise<T>): Promise<T> {
    const p = query().finally(() => {
      if (this.#running.get(key) === p) this.#running.delete(key);
    });
    this.#running.set(key, p);
    return p;
  }
}
