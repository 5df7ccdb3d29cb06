import { Command, Help, Option } from 'commander';
import { clientFrom, EXIT_HELP, type GlobalOptions, type Io } from './context.ts';
import type { CliEnv } from './env.ts';
import { approvalCommands } from './commands/approvals.ts';
import { gateCommands } from './commands/gate-commands.ts';
import { policyCommands } from './commands/policies.ts';
import { profileCommand } from './commands/profile-command.ts';
import { runCommands } from './commands/runs.ts';
import type { CommandContext } from './commands/shared.ts';

/**
 * `-V, --version` as the first argument is answered by main.ts: registered with commander it would
 * also swallow the `--version <version>` option of gate, profile and push. It is listed in help here.
 */
const VERSION_OPTION = new Option('-V, --version', 'print the CLI version (first argument only)');

/** The `edgeproof` command. Commands report their exit code through `setExit`; nothing here calls process.exit. */
export function buildProgram(io: Io, env: CliEnv, setExit: (code: number) => void): Command {
  const program: Command = new Command('edgeproof')
    .description('Measure on-device ML models on real devices and gate their release.')
    .option('--url <url>', 'API base URL (env EDGEPROOF_URL)')
    .option('--token <token>', 'API token (env EDGEPROOF_TOKEN)')
    .configureOutput({ writeOut: (s) => io.out(s.trimEnd()), writeErr: (s) => io.err(s.trimEnd()) })
    .configureHelp({
      visibleOptions(this: Help, cmd: Command): Option[] {
        const options = Help.prototype.visibleOptions.call(this, cmd);
        return cmd === program ? [VERSION_OPTION, ...options] : options;
      },
    })
    .addHelpText('after', `\n${EXIT_HELP}`)
    .showHelpAfterError('(run with --help for usage)');
  const ctx: CommandContext = {
    io,
    client: () => clientFrom(program.opts<GlobalOptions>(), env, io),
    print: (json, value, text) => io.out(json ? JSON.stringify(value, null, 2) : text()),
    setExit,
  };
  profileCommand(program, ctx);
  gateCommands(program, ctx);
  runCommands(program, ctx);
  approvalCommands(program, ctx.client, ctx.print, setExit);
  policyCommands(program, ctx.client, ctx.print);
  return program;
}
