import type { EdgeproofClient } from '@edgeproof/client';
import type { Command } from 'commander';
import type { Io } from '../context.ts';

export type Print = (json: boolean, value: unknown, text: () => string) => void;

/** What every command group gets from the program. */
export interface CommandContext {
  io: Io;
  client: () => EdgeproofClient;
  print: Print;
  setExit: (code: number) => void;
}

/**
 * Options a command needs but cannot declare with requiredOption: commander checks an ancestor's
 * required options for its subcommands too (so `gate cancel <id>` would ask for `--model`).
 */
export function requireOptions(cmd: Command, opts: Record<string, unknown>, flags: Record<string, string>): void {
  for (const [key, flag] of Object.entries(flags)) {
    if (opts[key] === undefined) cmd.error(`error: required option '${flag}' not specified`, { code: 'commander.missingMandatoryOptionValue', exitCode: 4 });
  }
}
