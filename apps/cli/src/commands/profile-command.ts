import { type Command, Option } from 'commander';
import { parseDuration } from '../context.ts';
import { parseBenchmarks, parseDataset, parseDevices, parseDims, parseSettings } from '../parse.ts';
import { runProfile } from './profile.ts';
import { requireOptions, type CommandContext } from './shared.ts';

const PROFILE_HELP = `
Exit codes (with --wait): 0 every job succeeded · 1 some job failed · 3 timeout · 4 usage or API error (or the run was cancelled).

--devices takes key=value pairs: platform, tier (repeat it or write low|mid), tag, runtime, model,
team, id, pick (all | one-per-tier; default one-per-tier: one device per tier).

Examples:
  edgeproof profile --model mnist --file model.onnx --wait
  edgeproof profile --model mnist --file model.tflite --version 1.3.0 --devices platform=android,tier=low \\
    --benchmarks latency,accuracy --dataset mnist-test@1 --wait --csv > results.csv`;

/** profile: measure a model file on devices, no policy needed. */
export function profileCommand(program: Command, { io, client, setExit }: CommandContext): void {
  const profile = program
    .command('profile')
    .description('upload a model file, measure it on devices and print the results (p50/p90/p99, init, first inference, memory, size)')
    .option('--model <name>', 'model name (created when missing); required')
    .option('--file <path>', 'ONNX or TFLite file; required')
    .option('--version <version>', 'version of this build (default: 0.0.0-<sha256 prefix>, so the same bytes are the same version)')
    .option('--devices <filters>', 'which devices, e.g. platform=android,tier=low (default: one per tier)')
    .option('--benchmarks <list>', 'latency, accuracy, parity (comma-separated)', 'latency')
    .option('--dataset <name@version>', 'a stored dataset, for accuracy')
    .option('--threads <n>', 'inference threads', (v) => Number.parseInt(v, 10))
    .option('--dims <list>', 'values of symbolic input dimensions, e.g. batch=1,height=224', parseDims)
    .option('--settings <json>', 'more run settings as JSON, e.g. {"measureMinRuns":100}', parseSettings)
    .addOption(new Option('--task-kind <kind>', 'task kind when the model is created').choices(['classification', 'detection', 'other']).default('classification'))
    .option('--owner <owner>', 'owner when the model is created (default: the CI repository)')
    .option('--git-commit <sha>', 'commit of this build (default: from CI)')
    .option('--wait', 'wait for the results (default: start the run and exit 0)', false)
    .option('--timeout <duration>', 'how long --wait waits, e.g. 30m, 90s', '30m')
    .addOption(new Option('--json', 'print the results as JSON').conflicts('csv'))
    .option('--csv', 'print the results as CSV')
    .addHelpText('after', PROFILE_HELP)
    .action(async (o) => {
      requireOptions(profile, o, { model: '--model <name>', file: '--file <path>' });
      const settings = { ...(o.settings ?? {}), ...(o.threads !== undefined ? { threads: o.threads } : {}), ...(o.dims ? { dims: o.dims } : {}) };
      setExit(
        await runProfile(
          client(),
          {
            model: o.model,
            file: o.file,
            ...(o.version ? { version: o.version } : {}),
            devices: parseDevices(o.devices),
            benchmarks: parseBenchmarks(o.benchmarks),
            ...(o.dataset ? { dataset: parseDataset(o.dataset) } : {}),
            settings,
            taskKind: o.taskKind,
            ...(o.owner ? { owner: o.owner } : {}),
            ...(o.gitCommit ? { gitCommit: o.gitCommit } : {}),
            wait: o.wait,
            timeoutMs: parseDuration(o.timeout),
            format: o.json ? 'json' : o.csv ? 'csv' : 'table',
          },
          io,
        ),
      );
    });
}
