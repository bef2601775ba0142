// Compiles a project's src/**/*.ts (not specs) to dist/ as CommonJS with swc, using the
// repository's .swcrc (decorator metadata on, as Nest needs). Types are checked by the
// `typecheck` target, not here, which is what makes builds take a second, not a minute.
import { transformFile } from '@swc/core';
import { mkdir, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { dirname, join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';

const ROOT = fileURLToPath(new URL('..', import.meta.url));
const SKIP = /(\.spec|\.e2e|\.d)\.ts$/;

async function sources(dir) {
  const entries = await readdir(dir, { withFileTypes: true, recursive: true });
  return entries
    .filter((entry) => entry.isFile() && entry.name.endsWith('.ts') && !SKIP.test(entry.name))
    .map((entry) => join(entry.parentPath, entry.name))
    .filter((file) => !relative(dir, file).split('/').includes('__tests__'));
}

async function compile(projectDir) {
  const src = join(projectDir, 'src');
  const dist = join(projectDir, 'dist');
  const swcrc = JSON.parse(await readFile(join(ROOT, '.swcrc'), 'utf8'));
  delete swcrc.$schema;
  await rm(dist, { recursive: true, force: true });
  const files = await sources(src);
  await Promise.all(
    files.map(async (file) => {
      const out = join(dist, relative(src, file)).replace(/\.ts$/, '.js');
      const { code, map } = await transformFile(file, {
        ...swcrc,
        swcrc: false,
        sourceMaps: true,
        filename: file,
        outputPath: out,
      });
      await mkdir(dirname(out), { recursive: true });
      await writeFile(out, `${code}\n//# sourceMappingURL=${out.split('/').pop()}.map\n`);
      if (map) await writeFile(`${out}.map`, map);
    }),
  );
  process.stdout.write(`compiled ${files.length} files to ${relative(ROOT, dist)}\n`);
}

await compile(process.cwd());
