/** Runs every benchmark script in bench/ one after the other (each prints its own table). */
import { spawnSync } from 'node:child_process';
import { readdirSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const here = dirname(fileURLToPath(import.meta.url));
const only = process.argv.slice(2);
const scripts = readdirSync(here).filter((f) => f.endsWith('.ts') && f !== 'run-all.ts' && (only.length === 0 || only.some((o) => f.includes(o))));
let failed = 0;
for (const script of scripts) {
  process.stdout.write(`\n== ${script}\n`);
  const r = spawnSync(process.execPath, ['--import', 'tsx', join(here, script)], { stdio: 'inherit' });
  if (r.status !== 0) failed++;
}
process.exit(failed ? 1 : 0);
