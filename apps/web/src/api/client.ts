import { HttpClient } from '@edgeproof/client/browser';

export { ApiError } from '@edgeproof/client/browser';

const TOKEN_KEY = 'edgeproof.token';

export const tokenStore = {
  get: (): string | null => sessionStorage.getItem(TOKEN_KEY),
  set: (token: string) => sessionStorage.setItem(TOKEN_KEY, token),
  clear: () => sessionStorage.removeItem(TOKEN_KEY),
};

/**
 * Same-origin calls with the session's token, through @edgeproof/client's browser entry. Answers
 * are typed but not re-checked here (the API serializes them through the same schemas, and zod
 * stays out of the page's bundle); TanStack Query does the retrying, so the client does not.
 */
export const http = new HttpClient({ baseUrl: '', token: () => tokenStore.get(), retries: 0 });

/** Calls the API; its `{ error }` body (or a proxy's HTML page) becomes an ApiError. */
export async function api<T>(path: string, init: { method?: string; body?: unknown; token?: string } = {}): Promise<T> {
  const client = init.token !== undefined ? new HttpClient({ baseUrl: '', token: init.token, retries: 0 }) : http;
  return (await client.unchecked<T>(init.method ?? 'GET', path, { json: init.body })).body;
}

export const enc = encodeURIComponent;
