import { type Command, Option } from 'commander';
import { stringify } from 'yaml';
import { parseDuration } from '../context.ts';
import { parseDims } from '../parse.ts';
import { renderRunTable } from '../render/run-table.ts';
import { renderRuntimeTable } from '../render/runtime-table.ts';
import { renderVerdictTable } from '../render/verdict.ts';
import { exitCodeFor } from './gate.ts';
import type { CommandContext } from './shared.ts';

/** push, versions, run show, run cancel, compare. */
export function runCommands(program: Command, { client, print, setExit }: CommandContext): void {
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
      const { created, version } = await c.uploadModelVersion(o.model, o.file, { version: o.version, gitCommit: o.gitCommit });
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

  const run = program.command('run').description('evaluation runs');
  run
    .command('show <id>')
    .description('show a run: every job, its result and how it was measured')
    .option('--json', 'print JSON', false)
    .action(async (id: string, o) => {
      const r = await client().getRun(id);
      print(o.json, r, () => `${r.model} ${r.version}${r.baseline ? ` vs ${r.baseline}` : ''}: ${r.status}\n${renderRunTable(r)}`);
    });
  run
    .command('runtimes <id>')
    .description('a run side by side per device, version and runtime: latency, memory, size, gzip size, accuracy, agreement with the parity reference')
    .option('--json', 'print JSON', false)
    .action(async (id: string, o) => {
      const t = await client().runRuntimes(id);
      print(o.json, t, () => renderRuntimeTable(t.rows));
    });
  run
    .command('cancel <id>')
    .description('cancel a run: queued jobs never start, running ones are stopped on their device')
    .option('--json', 'print the run as JSON', false)
    .action(async (id: string, o) => {
      const r = await client().cancelRun(id);
      print(o.json, r, () => `run ${r.id}: ${r.status} (${r.progress.succeeded} succeeded, ${r.progress.failed} failed of ${r.progress.total} jobs)`);
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
}
