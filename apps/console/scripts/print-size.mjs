// Prints the production build's size, raw and gzipped, and fails above the budget (300 KB gzipped).
import { readdirSync, readFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import { gzipSync } from 'node:zlib';

const BUDGET = 300 * 1024;
const dist = new URL('../dist', import.meta.url).pathname;
let raw = 0;
let gzipped = 0;
for (const entry of readdirSync(dist, { withFileTypes: true, recursive: true })) {
  if (!entry.isFile()) continue;
  const body = readFileSync(join(entry.parentPath, entry.name));
  const zipped = gzipSync(body, { level: 9 }).length;
  raw += body.length;
  gzipped += zipped;
  process.stdout.write(
    `  ${relative(dist, join(entry.parentPath, entry.name)).padEnd(32)} ${kb(body.length)} (${kb(zipped)} gzipped)\n`,
  );
}
process.stdout.write(`console build: ${kb(raw)}, ${kb(gzipped)} gzipped (budget ${kb(BUDGET)})\n`);
if (gzipped > BUDGET) {
  process.stderr.write('console build is over its size budget\n');
  process.exit(1);
}

function kb(bytes) {
  return `${(bytes / 1024).toFixed(1)} KB`;
}
