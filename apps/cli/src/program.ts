import { Command, Option } from 'commander';
import { stringify } from 'yaml';
import { CliError, clientFrom, EXIT, parseDuration, type GlobalOptions, type Io } from './context.ts';
import type { CliEnv } from './env.ts';
import { exitCodeFor, runGate, writeReports } from './commands/gate.ts';
import { renderRunTable } from './render/run-table.ts';
import { renderVerdictTable } from './render/verdict.ts';
import { approvalCommands } from './commands/approvals.ts';
import { policyCommands } from './commands/policies.ts';

const GATE_HELP = `
Exit codes: 0 pass · 1 fail · 2 inconclusive or error (including an invalid policy) · 3 timeout.

Approval: only a policy stored for the model (\`edgeproof policy push\`, by an ml_engineer or admin)
approves the scope automatically on a pass (--policy-name, and no --baseline other than the
policy's own). A --policy file is an inline policy: the gate decides and reports, but approves
nothing; an ml_engineer may then approve the passed version by hand (\`edgeproof approve\`).

In GitHub Actions or GitLab CI the commit, branch, pull request and run URL are stored with the
run, and a retry of the same CI job reuses the gate instead of measuring again.

Example:
  edgeproof gate --model mnist --file model.onnx --version 1.3.0 --policy-name release \\
    --wait --timeout 30m --junit gate.xml --markdown gate.md`;

/** "batch=1,height=224" → { batch: 1, height: 224 } */
function parseDims(text: string): Record<string, number> {
  const dims: Record<string, number> = {};
  for (const part of text.split(',')) {
    const m = /^\s*([^=\s]+)\s*=\s*(\d+)\s*$/.exec(part);
    if (!m?.[1] || !m[2]) throw new CliError(`--dims: "${part}" is not name=positive-integer (e.g. batch=1)`);
    dims[m[1]] = Number(m[2]);
  }
  return dims;
}

/** The `edgeproof` command. `run` returns the exit code; nothing here calls process.exit. */
export function buildProgram(io: Io, env: CliEnv, setExit: (code: number) => void): Command {
  const program = new Command('edgeproof')
    .description('Gate on-device ML model releases on measurements from real devices.')
    .option('--url <url>', 'API base URL (env EDGEPROOF_URL)')
    .option('--token <token>', 'API token (env EDGEPROOF_TOKEN)')
    .configureOutput({ writeOut: (s) => io.out(s.trimEnd()), writeErr: (s) => io.err(s.trimEnd()) })
    .showHelpAfterError('(run with --help for usage)');
  const client = () => clientFrom(program.opts<GlobalOptions>(), env);
  const print = (json: boolean, value: unknown, text: () => string) => io.out(json ? JSON.stringify(value, null, 2) : text());

  program
    .command('gate')
    .description('upload a model build, measure it on devices under a policy, and exit with the verdict')
    .requiredOption('--model <name>', 'model name (created when missing)')
    .requiredOption('--version <version>', 'version of this build')
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

  program
    .command('gate-status <id>')
    .description('show a gate evaluation (verdict, per-rule evidence); exits like `gate`')
    .option('--junit <file>', 'write a JUnit XML report')
    .option('--markdown <file>', 'write a Markdown summary')
    .option('--json', 'print JSON', false)
    .action(async (id: string, o) => {
      const gate = await client().getGate(id);
      await writeReports(gate, o);
      print(o.json, gate, () => renderVerdictTable(gate));
      setExit(gate.status === 'done' ? exitCodeFor(gate) : EXIT.error);
    });

  program
    .command('push')
    .description('upload a model build (idempotent: the same bytes under the same version are accepted again)')
    .requiredOption('--model <name>', 'model name (created when missing)')
    .requiredOption('--file <path>', 'ONNX or TFLite file')
    .requiredOption('--version <version>', 'version of this build')
    .addOption(new Option('--task-kind <kind>', 'task kind when the model is created').choices(['classification', 'detection', 'other']).default('classification'))
    .option('--owner <owner>', 'owner when the model is created', 'unknown')
    .option('--git-commit <sha>', 'commit of this build')
    .option('--json', 'print JSON', false)
    .action(async (o) => {
      const c = client();
      await c.ensureModel({ name: o.model, taskKind: o.taskKind, owner: o.owner });
      const { created, version } = await c.uploadModelVersion(o.model, o.file, { version: o.version, ...(o.gitCommit ? { gitCommit: o.gitCommit } : {}) });
      print(o.json, version, () => `${created ? 'uploaded' : 'already stored'}: ${o.model} ${version.version} sha256 ${version.sha256} (${version.sizeBytes} bytes, gzip ${version.gzipSizeBytes})`);
    });

  program
    .command('versions <model>')
    .description('list the stored versions of a model')
    .option('--json', 'print JSON', false)
    .action(async (model: string, o) => {
      const versions = await client().listVersions(model);
      print(o.json, versions, () => versions.map((v) => `${v.version}\t${v.sha256.slice(0, 12)}\t${v.sizeBytes} B\t${v.createdAt}`).join('\n') || '(no versions)');
    });

  program
    .command('run')
    .description('evaluation runs')
    .command('show <id>')
    .description('show a run: every job, its result and how it was measured')
    .option('--json', 'print JSON', false)
    .action(async (id: string, o) => {
      const run = await client().getRun(id);
      print(o.json, run, () => `${run.model} ${run.version}${run.baseline ? ` vs ${run.baseline}` : ''}: ${run.status}\n${renderRunTable(run)}`);
    });

  program
    .command('compare <model> <candidate> <baseline>')
    .description('measure two versions alternately on the same devices and compare their median latency (+5% allowed)')
    .option('--max-increase <percent>', 'allowed median latency increase', '5%')
    .option('--dims <list>', 'values of symbolic input dimensions, e.g. batch=1,height=224', parseDims)
    .option('--timeout <duration>', 'how long to wait', '30m')
    .option('--json', 'print JSON', false)
    .action(async (model: string, candidate: string, baseline: string, o) => {
      const source = stringify({
        version: 1,
        name: 'compare',
        baseline: { version: baseline },
        approve: false,
        confirm: false,
        ...(o.dims ? { settings: { dims: o.dims } } : {}),
        rules: [{ type: 'relative', metric: 'latency.p50', maxIncrease: o.maxIncrease }],
      });
      const c = client();
      const { gate: started } = await c.createGate({ model, version: candidate, policy: { source, file: 'compare' } });
      const gate = await c.waitForGate(started.id, { timeoutMs: parseDuration(o.timeout) });
      print(o.json, gate, () => renderVerdictTable(gate));
      setExit(exitCodeFor(gate));
    });

  approvalCommands(program, client, print, setExit);
  policyCommands(program, client, print);
  return program;
}
