import { type Command, Option } from 'commander';
import { EXIT_HELP, parseDuration } from '../context.ts';
import { renderVerdictTable } from '../render/verdict.ts';
import { exitCodeFor, runGate, writeReports } from './gate.ts';
import { requireOptions, type CommandContext } from './shared.ts';

const GATE_HELP = `
${EXIT_HELP}
An invalid policy file is a usage error (4), reported before anything is uploaded.

Approval: only a policy stored for the model (\`edgeproof policy push\`, by an ml_engineer or admin)
approves the scope automatically on a pass (--policy-name, and no --baseline other than the
policy's own). A --policy file is an inline policy: the gate decides and reports, but approves
nothing; an ml_engineer may then approve the passed version by hand (\`edgeproof approve\`).

In GitHub Actions or GitLab CI the commit, branch, pull request and run URL are stored with the
run, and a retry of the same CI job reuses the gate instead of measuring again.

Example:
  edgeproof gate --model mnist --file model.onnx --version 1.3.0 --policy-name release \\
    --wait --timeout 30m --junit gate.xml --markdown gate.md`;

/** gate, gate cancel, gate-status. */
export function gateCommands(program: Command, { io, client, print, setExit }: CommandContext): void {
  const gate = program
    .command('gate')
    .description('upload a model build, measure it on devices under a policy, and exit with the verdict')
    .option('--model <name>', 'model name (created when missing); required')
    .option('--version <version>', 'version of this build; required')
    .option('--policy <file>', 'inline gate policy (YAML): decides, never approves')
    .addOption(new Option('--policy-name <name>', 'a policy stored for the model: a pass approves its scope').conflicts('policy'))
    .option('--file <path>', 'model file to upload (skip when the version is already stored)')
    .option('--baseline <version>', "compare against this version instead of the policy's (then a pass does not approve)")
    .addOption(new Option('--task-kind <kind>', 'task kind when the model is created').choices(['classification', 'detection', 'other']).default('classification'))
    .option('--owner <owner>', 'owner when the model is created (default: the CI repository)')
    .option('--git-commit <sha>', 'commit of this build (default: from CI)')
    .option('--wait', 'wait for the verdict (default: start the gate and exit 0)', false)
    .option('--timeout <duration>', 'how long --wait waits, e.g. 30m, 90s', '30m')
    .option('--junit <file>', 'write a JUnit XML report')
    .option('--markdown <file>', 'write a Markdown summary (for a PR comment)')
    .option('--json', 'print the gate as JSON', false)
    .addHelpText('after', GATE_HELP)
    .action(async (o) => {
      requireOptions(gate, o, { model: '--model <name>', version: '--version <version>' });
      setExit(
        await runGate(
          client(),
          {
            model: o.model,
            version: o.version,
            taskKind: o.taskKind,
            ...(o.policy ? { policy: o.policy } : {}),
            ...(o.policyName ? { policyName: o.policyName } : {}),
            wait: o.wait,
            timeoutMs: parseDuration(o.timeout),
            json: o.json,
            ...(o.file ? { file: o.file } : {}),
            ...(o.baseline ? { baseline: o.baseline } : {}),
            ...(o.owner ? { owner: o.owner } : {}),
            ...(o.gitCommit ? { gitCommit: o.gitCommit } : {}),
            ...(o.junit ? { junit: o.junit } : {}),
            ...(o.markdown ? { markdown: o.markdown } : {}),
          },
          io,
        ),
      );
    });

  gate
    .command('cancel <id>')
    .description('cancel a gate that is still measuring (its runs stop; it decides nothing)')
    .option('--json', 'print the gate as JSON', false)
    .action(async (id: string, _o, cmd: Command) => {
      const cancelled = await client().cancelGate(id);
      // `gate` has a --json of its own, which commander gives `gate cancel … --json` to
      print(Boolean(cmd.optsWithGlobals<{ json?: boolean }>().json), cancelled, () => `gate ${cancelled.id}: ${cancelled.status}${cancelled.verdict ? ` (verdict ${cancelled.verdict})` : ''}`);
    });

  program
    .command('gate-status <id>')
    .description('show a gate evaluation (verdict, per-rule evidence); exits like `gate` (4 while it has no verdict)')
    .option('--junit <file>', 'write a JUnit XML report')
    .option('--markdown <file>', 'write a Markdown summary')
    .option('--json', 'print JSON', false)
    .action(async (id: string, o) => {
      const g = await client().getGate(id);
      await writeReports(g, o);
      print(o.json, g, () => renderVerdictTable(g));
      setExit(exitCodeFor(g));
    });
}
