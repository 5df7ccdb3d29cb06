/**
 * Creates an API token straight in the database (for the first admin, or when no admin token
 * is at hand): `npm run create-token -- --role admin --name alice` (`--role agent --agent lab-1` for an agent). Prints the token once;
 * only its hash is stored.
 */
import { parseArgs } from 'node:util';
import { Role } from '@edgeproof/contracts';
import { createDb } from '@edgeproof/db';
import { createToken } from '../services/tokens.ts';

const { values } = parseArgs({ options: { role: { type: 'string' }, name: { type: 'string' }, agent: { type: 'string' } } });
const role = Role.safeParse(values.role);
if (!role.success || !values.name || (role.data === 'agent') !== Boolean(values.agent)) {
  process.stderr.write(`usage: create-token --role <${Role.options.join('|')}> --name <who it is for> [--agent <agent name>, required for role agent]\n`);
  process.exit(2);
}
const databaseUrl = process.env.DATABASE_URL;
if (!databaseUrl) {
  process.stderr.write('DATABASE_URL is not set\n');
  process.exit(2);
}
const db = createDb(databaseUrl);
try {
  const created = await createToken(db, { name: values.name, role: role.data, agent: values.agent, createdBy: 'command line (create-token)' });
  process.stdout.write(`${created.token}\n`);
} finally {
  await db.$disconnect();
}
