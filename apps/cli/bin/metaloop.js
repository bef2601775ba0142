#!/usr/bin/env node
'use strict';
/* eslint-disable @typescript-eslint/no-require-imports -- a CommonJS shim that runs before anything is built */
// The `metaloop` command. In a checkout of the repository it first (re)builds dist/ from src/
// when a source is newer than the build (swc through scripts/compile.mjs, about a second), so
// `npx metaloop …` works right after `npm install` and never runs a stale build; installed on
// its own (npm pack / npm install -g) it runs the dist/ it was packed with.
const { execFileSync } = require('node:child_process');
const { existsSync, mkdirSync, readdirSync, rmSync, statSync } = require('node:fs');
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

const stale = () => newestMtime(sources) > (existsSync(main) ? statSync(main).mtimeMs : 0);

/** Invocations at once build once: the others wait for the lock folder to go (at most a minute). */
function rebuild() {
  const lock = join(packageDir, '.dist-building');
  const deadline = Date.now() + 60_000;
  for (;;) {
    try {
      mkdirSync(lock);
      break;
    } catch {
      if (Date.now() > deadline) rmSync(lock, { recursive: true, force: true });
      else Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, 100);
    }
  }
  try {
    if (stale())
      execFileSync(process.execPath, [compiler], { cwd: packageDir, stdio: ['ignore', 'ignore', 'inherit'] });
  } catch {
    process.stderr.write('metaloop: could not build apps/cli from its sources (run `npm install` in the repository)\n');
    process.exit(1);
  } finally {
    rmSync(lock, { recursive: true, force: true });
  }
}

if (existsSync(sources) && existsSync(compiler) && stale()) rebuild();
if (!existsSync(main)) {
  process.stderr.write(
    'metaloop: dist/main.js is missing: this copy was packed without its build (run `npx nx run cli:build` before `npm pack`)\n',
  );
  process.exit(1);
}
require(main);
