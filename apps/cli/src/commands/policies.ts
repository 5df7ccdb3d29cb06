import type { Command } from 'commander';
import type { EdgeproofClient } from '@edgeproof/client';
import { readPolicy } from './gate.ts';

type Print = (json: boolean, value: unknown, text: () => string) => void;

/** policy push, policy show: the stored (reviewed) policies that approve releases. */
export function policyCommands(program: Command, client: () => EdgeproofClient, print: Print): void {
  const policy = program.command('policy').description('stored gate policies: the only ones whose pass approves a release');

  policy
    .command('push')
    .description('save a policy file as the next revision of a stored policy (needs an ml_engineer or admin token; audited)')
    .requiredOption('--model <name>', 'the model the policy gates')
    .requiredOption('--name <name>', 'stored policy name (gate with --policy-name <name>)')
    .requiredOption('--file <path>', 'policy file (YAML), validated before it is sent')
    .option('--json', 'print JSON', false)
    .action(async (o) => {
      const source = await readPolicy(o.file);
      const p = await client().savePolicy(o.model, { name: o.name, source });
      print(o.json, p, () => `saved policy ${p.name} revision ${p.revision} for ${p.model} (by ${p.createdBy})`);
    });

  policy
    .command('show <model> <name>')
    .description('the latest revision of a stored policy')
    .option('--json', 'print JSON', false)
    .action(async (model: string, name: string, o) => {
      const p = await client().getPolicy(model, name);
      print(o.json, p, () => `# ${p.model} policy ${p.name} revision ${p.revision}, saved by ${p.createdBy} at ${p.createdAt}\n${p.source.trimEnd()}`);
    });
}
