#!/usr/bin/env node
// Runs the Python client's pytest suites with the first python (3.9+) that has pytest:
// $METALOOP_PYTHON, python3 on PATH, /usr/bin/python3 (Debian's python3-pytest), python.
//   node clients/python/scripts/pytest.mjs [pytest args]   (from any directory; runs in clients/python)
//   node clients/python/scripts/pytest.mjs --which         (prints that python, or nothing)
// Without one it skips with one loud line naming the package to install; with CI=true it fails.
import { spawnSync } from 'node:child_process';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const CLIENT_DIR = join(dirname(fileURLToPath(import.meta.url)), '..');
const INSTALL_HINT = 'apt-get install -y python3-pytest (.ci/run does it when missing)';

function findPython() {
  const candidates = [process.env.METALOOP_PYTHON, 'python3', '/usr/bin/python3', 'python'].filter(Boolean);
  for (const python of candidates) {
    const probe = spawnSync(python, ['-c', 'import sys, pytest; sys.exit(0 if sys.version_info >= (3, 9) else 1)'], {
      encoding: 'utf8',
      stdio: 'pipe',
    });
    if (probe.status === 0) return python;
  }
  return undefined;
}

const args = process.argv.slice(2);
const python = findPython();
if (args[0] === '--which') {
  process.stdout.write(python ?? '');
  process.exit(0);
}
if (!python) {
  const ci = ['1', 'true'].includes(String(process.env.CI).toLowerCase());
  process.stderr.write(
    `\n*** ${ci ? 'FAILED' : 'SKIPPED'} the Python client's tests: no python3 (3.9+) with pytest found. ` +
      `Install it: ${INSTALL_HINT}. (With CI=true this fails the run.) ***\n\n`,
  );
  process.exit(ci ? 1 : 0);
}
const run = spawnSync(python, ['-m', 'pytest', '-q', '-p', 'no:cacheprovider', ...args], {
  cwd: CLIENT_DIR,
  stdio: 'inherit',
  env: { ...process.env, PYTHONDONTWRITEBYTECODE: '1' },
});
process.exit(run.status ?? 1);
