import { readFileSync } from 'node:fs';

/** Set by the build (scripts/build.ts); from source, read from package.json. */
declare const __EDGEPROOF_CLI_VERSION__: string | undefined;

export const CLI_VERSION: string =
  typeof __EDGEPROOF_CLI_VERSION__ === 'string'
    ? __EDGEPROOF_CLI_VERSION__
    : (JSON.parse(readFileSync(new URL('../package.json', import.meta.url), 'utf8')) as { version: string }).version;
