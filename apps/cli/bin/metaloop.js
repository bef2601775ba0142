#!/usr/bin/env node
'use strict';
/* eslint-disable @typescript-eslint/no-require-imports -- a CommonJS shim that runs before anything is built */
// The `metaloop` command. In a checkout of the repository it first (re)builds dist/ from src/
// when a source is newer than the build (swc through scripts/compile.mjs, about a second), so
// `npx metaloop …` works right after `npm install` and never runs a stale build; installed on
// its own (npm pack / npm install -g) it runs the dist/ it was packed with.
const { execFileSync } = require('node:child_process');
const { existsSync, readdirSync, statSync } = require('node:fs');
const { join } = require('node:path');

const packageDir = join(__dirname, '..');
const main = join(packageDir, 'dist', 'main.js');
const sources = join(packageDir, 'src');
const compiler = join(packageDir, '..', '..', 'scripts', 'compile.mjs');

function newestMtime(dir) {
  let newest = 0;
  for (const entry of readdirSync(dir, { withFileTypes: true, recursive: true })) {
    if (entry.isFile() && entry.name.endsWith('.ts')) {
      newest = Math.max(newest, statSync(join(entry.parentPath, entry.name)).mtimeMs);
    }
  }
  return newest;
}

if (existsSync(sources) && existsSync(compiler)) {
  const built = existsSync(main) ? statSync(main).mtimeMs : 0;
  if (newestMtime(sources) > built) {
    try {
      execFileSync(process.execPath, [compiler], { cwd: packageDir, stdio: ['ignore', 'ignore', 'inherit'] });
    } catch {
      process.stderr.write(
        'metaloop: could not build apps/cli from its sources (run `npm install` in the repository)\n',
      );
      process.exit(1);
    }
  }
}
if (!existsSync(main)) {
  process.stderr.write(
    'metaloop: dist/main.js is missing: this copy was packed without its build (run `npx nx run cli:build` before `npm pack`)\n',
  );
  process.exit(1);
}
require(main);
