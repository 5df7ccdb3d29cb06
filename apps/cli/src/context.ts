import { ApiError, EdgeproofClient } from '@edgeproof/client';
import type { CliEnv } from './env.ts';

/** Exit codes of every command (README, `--help`). */
export const EXIT = { ok: 0, fail: 1, inconclusive: 2, timeout: 3, error: 4 } as const;

export const EXIT_HELP = 'Exit codes: 0 pass · 1 fail · 2 inconclusive · 3 timeout (--wait) · 4 usage or API error (or a gate/run that ended without a verdict: error, cancelled).';

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

export function clientFrom(opts: GlobalOptions, env: CliEnv, io?: Io): EdgeproofClient {
  const url = opts.url ?? env.EDGEPROOF_URL;
  const token = opts.token ?? env.EDGEPROOF_TOKEN;
  if (!url) throw new CliError('no API URL: pass --url or set EDGEPROOF_URL');
  if (!token) throw new CliError('no API token: pass --token or set EDGEPROOF_TOKEN');
  return new EdgeproofClient(url, token, {
    onRetry: (err, attempt, delayMs) => io?.err(`edgeproof: ${err.status === 0 ? '' : `${err.method} ${err.path}: `}${describeError(err)}; retry ${attempt} in ${delayMs} ms`),
  });
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
