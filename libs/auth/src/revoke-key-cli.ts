// `npm run keys:revoke -- <id|prefix>`: revokes an API key. Running apps stop accepting it
// within 30 s (the time they keep a verified key in memory).
import 'reflect-metadata';
import { parseArgs } from 'node:util';
import { fail, formatDate, print, withApiKeys } from './cli/cli-support';

const USAGE = 'usage: npm run keys:revoke -- <id|prefix>   (npm run keys:list shows both)';

let positionals: string[];
try {
  positionals = parseArgs({ allowPositionals: true, options: {} }).positionals;
} catch (error) {
  fail(`${(error as Error).message}\n${USAGE}`, 2);
}
if (positionals.length !== 1) fail(USAGE, 2);
const reference = positionals[0]!;

void withApiKeys(async (keys) => {
  const result = await keys.revoke(reference);
  if (!result) fail(`no API key with id or prefix "${reference}"`);
  const { key, alreadyRevoked } = result;
  if (alreadyRevoked) {
    print(`API key ${key.prefix} ("${key.name}") was already revoked at ${formatDate(key.revokedAt)}.`);
    return;
  }
  print(`Revoked API key ${key.prefix} ("${key.name}", id ${key.id}).`);
  print('Running apps refuse it within 30 s (their verified-key cache).');
});
