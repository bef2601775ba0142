// Used by the Dockerfile after the build: copies what the apps need at run time into <out>,
// laid out like the repository so npm workspaces resolve @metaloop/* to each lib's dist/:
// the root manifests and lockfile, every workspace's package.json (npm ci needs them all to
// match the lockfile), each built workspace's dist/ and its top-level YAML data files (e.g.
// libs/policies/default-policies.yaml), and prisma/migrations (applied at start).
// Usage: node deploy/docker/collect-runtime.mjs <out>
import { cp, mkdir, readdir, stat } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { readFileSync } from 'node:fs';

const ROOT = fileURLToPath(new URL('../..', import.meta.url));
const out = process.argv[2];
if (!out) {
  process.stderr.write('usage: node deploy/docker/collect-runtime.mjs <out>\n');
  process.exit(2);
}

const exists = (path) =>
  stat(join(ROOT, path)).then(
    () => true,
    () => false,
  );

async function copy(path) {
  await mkdir(dirname(join(out, path)), { recursive: true });
  await cp(join(ROOT, path), join(out, path), { recursive: true });
}

/** The workspace folders: entries of `workspaces` are folders or `folder/*` (all that npm needs here). */
async function workspaceDirs() {
  const { workspaces } = JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8'));
  const dirs = [];
  for (const pattern of workspaces) {
    const candidates = pattern.endsWith('/*')
      ? (await readdir(join(ROOT, pattern.slice(0, -2)))).map((name) => join(pattern.slice(0, -2), name))
      : [pattern];
    for (const dir of candidates) if (await exists(join(dir, 'package.json'))) dirs.push(dir);
  }
  return dirs;
}

const dirs = await workspaceDirs();
const files = ['package.json', 'package-lock.json', 'prisma/migrations'];
for (const dir of dirs) {
  files.push(join(dir, 'package.json'));
  if (!(await exists(join(dir, 'dist')))) continue;
  files.push(join(dir, 'dist'));
  const data = (await readdir(join(ROOT, dir))).filter((name) => /\.ya?ml$/.test(name));
  files.push(...data.map((name) => join(dir, name)));
}
for (const path of files) await copy(path);
process.stdout.write(`collected ${files.length} paths of ${dirs.length} workspaces into ${out}\n`);
