/** Entry of the `edgeproof` command (`npx edgeproof`, `npm run edgeproof --`). */
import { ApiError } from '@edgeproof/client';
import { type Command, CommanderError } from 'commander';
import { CliError, EXIT, describeError } from './context.ts';
import { loadEnv } from './env.ts';
import { buildProgram } from './program.ts';
import { CLI_VERSION } from './version.ts';

const io = {
  out: (t: string) => process.stdout.write(`${t}\n`),
  err: (t: string) => process.stderr.write(`${t}\n`),
  isTTY: Boolean(process.stderr.isTTY),
  env: process.env,
};

function exitCodeOf(err: unknown): number {
  if (err instanceof CliError) return err.exitCode;
  // a wait that ran out (compare, and anything else that waits for a verdict)
  if (err instanceof ApiError && err.code === 'timeout') return EXIT.timeout;
  return EXIT.error;
}

async function main(argv: string[]): Promise<number> {
  const first = argv[2];
  if (first === '--version' || first === '-V') {
    io.out(CLI_VERSION);
    return EXIT.ok;
  }
  let code: number = EXIT.ok;
  const program = buildProgram(io, loadEnv(), (c) => (code = c));
  // subcommands do not inherit an override set after they were added: without this a usage error in one exits 1 ("gate failed")
  const override = (c: Command): void => {
    c.exitOverride();
    c.commands.forEach(override);
  };
  override(program);
  try {
    await program.parseAsync(argv);
  } catch (err) {
    if (err instanceof CommanderError) return err.exitCode === 0 ? EXIT.ok : EXIT.error;
    io.err(`edgeproof: ${describeError(err)}`);
    return exitCodeOf(err);
  }
  return code;
}

main(process.argv).then(
  (code) => {
    process.exitCode = code;
  },
  (err: unknown) => {
    io.err(`edgeproof: ${describeError(err)}`);
    process.exitCode = exitCodeOf(err);
  },
);
