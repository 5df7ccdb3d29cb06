/** Entry of the `edgeproof` command (`npx edgeproof`, `npm run edgeproof --`). */
import { type Command, CommanderError } from 'commander';
import { CliError, EXIT, describeError } from './context.ts';
import { loadEnv } from './env.ts';
import { buildProgram } from './program.ts';

const io = {
  out: (t: string) => process.stdout.write(`${t}\n`),
  err: (t: string) => process.stderr.write(`${t}\n`),
  isTTY: Boolean(process.stderr.isTTY),
  env: process.env,
};

async function main(): Promise<number> {
  let code: number = EXIT.ok;
  const program = buildProgram(io, loadEnv(), (c) => (code = c));
  // subcommands do not inherit an override set after they were added: without this a usage error in one exits 1 ("gate failed")
  const override = (c: Command): void => {
    c.exitOverride();
    c.commands.forEach(override);
  };
  override(program);
  try {
    await program.parseAsync(process.argv);
  } catch (err) {
    if (err instanceof CommanderError) return err.exitCode === 0 ? EXIT.ok : EXIT.error;
    io.err(`edgeproof: ${describeError(err)}`);
    return err instanceof CliError ? err.exitCode : EXIT.error;
  }
  return code;
}

main().then(
  (code) => {
    process.exitCode = code;
  },
  (err: unknown) => {
    io.err(`edgeproof: ${describeError(err)}`);
    process.exitCode = EXIT.error;
  },
);
