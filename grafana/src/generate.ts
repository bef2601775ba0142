// `npm run dashboards`: writes grafana/dashboards/*.json from the specs in src/dashboards/.
import { mkdir, readdir, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { DASHBOARDS_DIR, renderDashboards } from './render';

async function main(): Promise<void> {
  const files = renderDashboards();
  await mkdir(DASHBOARDS_DIR, { recursive: true });
  // A dashboard removed from the specs must not linger as a stale file.
  for (const stale of (await readdir(DASHBOARDS_DIR)).filter((name) => name.endsWith('.json') && !(name in files))) {
    await rm(join(DASHBOARDS_DIR, stale));
  }
  for (const [name, text] of Object.entries(files)) await writeFile(join(DASHBOARDS_DIR, name), text);
  process.stdout.write(`wrote ${Object.keys(files).join(', ')} to grafana/dashboards/\n`);
}

void main();
