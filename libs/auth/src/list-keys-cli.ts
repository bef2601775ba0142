// `npm run keys:list`: every API key with its prefix, scopes and status (never the secret).
import 'reflect-metadata';
import { formatDate, print, withApiKeys } from './cli/cli-support';

void withApiKeys(async (keys) => {
  const all = await keys.list();
  if (all.length === 0) {
    print('no API keys: the apps run open outside production and refuse to start in production.');
    print('create one: npm run keys:create -- --name <name> --scopes <scope,...>');
    return;
  }
  const header = ['PREFIX', 'NAME', 'STATUS', 'SCOPES', 'CREATED', 'LAST USED', 'EXPIRES', 'ID'];
  const rows = all.map((key) => [
    key.prefix,
    key.name,
    key.status,
    key.scopes.join(','),
    formatDate(key.createdAt),
    formatDate(key.lastUsedAt),
    formatDate(key.expiresAt),
    key.id,
  ]);
  const widths = header.map((title, i) => Math.max(title.length, ...rows.map((row) => row[i]!.length)));
  for (const row of [header, ...rows])
    print(
      row
        .map((cell, i) => cell.padEnd(widths[i]!))
        .join('  ')
        .trimEnd(),
    );
  const active = all.filter((key) => key.status === 'active').length;
  print();
  print(`${all.length} key(s), ${active} active`);
});
