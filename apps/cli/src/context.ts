import { ApiError, EdgeproofClient } from './api-client.ts';
import type { CliEnv } from './env.ts';

/** Exit codes of every command: 0 pass/ok, 1 gate failed, 2 inconclusive or error, 3 timeout. */
export const EXIT = { ok: 0, fail: 1, error: 2, timeout: 3 } as const;

export class CliError extends Error {
  constructor(
    message: string,
    readonly exitCode: number = EXIT.error,
  ) {
    super(message);
  }
}

export interface GlobalOptions {
  url?: string;
  token?: string;
}

export interface Io {
  out: (text: string) => void;
  err: (text: string) => void;
  isTTY: boolean;
  env: Record<string, string | undefined>;
}

export function clientFrom(opts: GlobalOptions, env: CliEnv): EdgeproofClient {
  const url = opts.url ?? env.EDGEPROOF_URL;
  const token = opts.token ?? env.EDGEPROOF_TOKEN;
  if (!url) throw new CliError('no API URL: pass --url or set EDGEPROOF_URL');
  if (!token) throw new CliError('no API token: pass --token or set EDGEPROOF_TOKEN');
  return new EdgeproofClient(url, token);
}

/** "30m", "90s", "1h", "500ms" or a plain number of seconds → milliseconds. */
export function parseDuration(text: string): number {
  const m = /^\s*(\d+(?:\.\d+)?)\s*(ms|s|m|h)?\s*$/.exec(text);
  if (!m) throw new CliError(`invalid duration "${text}": expected e.g. 30m, 90s, 1h or 500ms`);
  const factor = { ms: 1, s: 1000, m: 60_000, h: 3_600_000 }[(m[2] ?? 's') as 'ms' | 's' | 'm' | 'h'];
  return Number(m[1]) * factor;
}

export function describeError(err: unknown): string {
  if (err instanceof ApiError) return `${err.status ? `HTTP ${err.status} ` : ''}${err.code}: ${err.message}`;
  if (err instanceof Error) return err.cause instanceof Error ? `${err.message} (${err.cause.message})` : err.message;
  return String(err);
}
