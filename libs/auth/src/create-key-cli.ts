// `npm run keys:create -- --name X --scopes a,b [--expires-in-days N]`: creates an API key and
// prints it, once. DATABASE_URL (default postgresql://postgres@127.0.0.1:5432/metaloop).
import 'reflect-metadata';
import { parseArgs } from 'node:util';
import { z } from 'zod';
import { fail, formatDate, print, withApiKeys } from './cli/cli-support';
import { SCOPES, scopeListStringSchema } from './scopes';

const USAGE = `usage: npm run keys:create -- --name <name> --scopes <scope,...> [--expires-in-days <days>]
scopes: ${SCOPES.join(', ')} (admin implies every scope)`;

const argsSchema = z.object({
  name: z.string({ message: 'required' }).trim().min(1, 'required').max(100, 'at most 100 characters'),
  scopes: z.string({ message: `required, comma-separated: ${SCOPES.join(', ')}` }).pipe(scopeListStringSchema),
  'expires-in-days': z.coerce
    .number({ message: 'expected a number of days' })
    .int('expected whole days')
    .min(1)
    .max(3650)
    .optional(),
});

let raw: Record<string, unknown>;
try {
  raw = parseArgs({
    options: {
      name: { type: 'string' },
      scopes: { type: 'string' },
      'expires-in-days': { type: 'string' },
      help: { type: 'boolean', short: 'h' },
    },
  }).values;
} catch (error) {
  fail(`${(error as Error).message}\n${USAGE}`, 2);
}
if (raw['help']) {
  print(USAGE);
  process.exit(0);
}
const parsed = argsSchema.safeParse(raw);
if (!parsed.success) {
  const problems = parsed.error.issues.map((issue) => `  --${String(issue.path[0])}: ${issue.message}`);
  fail(`invalid arguments:\n${problems.join('\n')}\n${USAGE}`, 2);
}
const args = parsed.data;
const days = args['expires-in-days'];

void withApiKeys(async (keys) => {
  const created = await keys.create({
    name: args.name,
    scopes: args.scopes,
    expiresAt: days ? new Date(Date.now() + days * 86_400_000) : null,
  });
  print('API key created. Store it now: it is shown this once and cannot be recovered (only its hash is kept).');
  print();
  print(`  ${created.key}`);
  print();
  print(`  id       ${created.id}`);
  print(`  name     ${created.name}`);
  print(`  prefix   ${created.prefix}`);
  print(`  scopes   ${created.scopes.join(', ')}`);
  print(`  expires  ${created.expiresAt ? formatDate(created.expiresAt) : 'never'}`);
  print();
  print('Send it as "Authorization: Bearer <key>". Apps in open mode start enforcing keys within 30 s.');
});
