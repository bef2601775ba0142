import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { APPS, entryPoint } from './support/apps';
import { REPO_ROOT } from './support/repo';

interface Manifest {
  name: string;
  main?: string;
  dependencies?: Record<string, string>;
}

const dockerfile = readFileSync(join(REPO_ROOT, 'Dockerfile'), 'utf8');
const stages = dockerfile.split(/^FROM /m).slice(1);
const finalStage = stages.at(-1)!;

const manifest = (dir: string): Manifest => JSON.parse(readFileSync(join(dir, 'package.json'), 'utf8')) as Manifest;

/** The workspace folder of every @metaloop package, by package name. */
const workspaces = new Map(
  ['apps', 'libs'].flatMap((parent) =>
    readdirSync(join(REPO_ROOT, parent)).map(
      (name) => [manifest(join(REPO_ROOT, parent, name)).name, `${parent}/${name}`] as const,
    ),
  ),
);

/** The @metaloop workspaces an app needs at run time: its dependencies, transitively (not devDependencies). */
function runtimeWorkspaces(dir: string, seen = new Set<string>()): Set<string> {
  for (const name of Object.keys(manifest(join(REPO_ROOT, dir)).dependencies ?? {})) {
    const workspace = workspaces.get(name);
    if (workspace && !seen.has(workspace)) {
      seen.add(workspace);
      runtimeWorkspaces(workspace, seen);
    }
  }
  return seen;
}

describe('Dockerfile', () => {
  it('builds in stages and runs as the unprivileged node user with production dependencies only', () => {
    expect(stages.length).toBeGreaterThanOrEqual(3);
    expect(finalStage).toMatch(/^USER node$/m);
    expect(finalStage).not.toMatch(/npm (ci|install)/);
    expect(dockerfile).toMatch(/npm ci --omit=dev --ignore-scripts/);
    expect(dockerfile).toContain('node deploy/docker/collect-runtime.mjs /runtime');
    expect(finalStage).toContain(`CMD ["node", "${entryPoint('feedback-api')}"]`);
  });

  it('keeps host builds and installs out of the build context', () => {
    const ignored = readFileSync(join(REPO_ROOT, '.dockerignore'), 'utf8').split('\n');
    for (const entry of ['**/node_modules', '**/dist', '.git', 'libs/db/src/generated'])
      expect(ignored).toContain(entry);
  });

  describe('collect-runtime.mjs', () => {
    let out: string;

    beforeAll(() => {
      out = mkdtempSync(join(tmpdir(), 'metaloop-runtime-'));
      const result = spawnSync(process.execPath, [join(REPO_ROOT, 'deploy', 'docker', 'collect-runtime.mjs'), out], {
        encoding: 'utf8',
      });
      if (result.status !== 0) throw new Error(`collect-runtime failed: ${result.stderr}`);
    });

    afterAll(() => rmSync(out, { recursive: true, force: true }));

    it.each(APPS)('gives $name its entry point and the compiled dist/ of every lib it runs on', ({ name }) => {
      expect(existsSync(join(out, entryPoint(name)))).toBe(true);
      for (const workspace of runtimeWorkspaces(`apps/${name}`)) {
        const main = manifest(join(REPO_ROOT, workspace)).main ?? './dist/index.js';
        // Data files a lib reads beside its dist/, e.g. libs/policies/default-policies.yaml.
        const data = readdirSync(join(REPO_ROOT, workspace)).filter((file) => /\.ya?ml$/.test(file));
        const present = [main, ...data].filter((file) => existsSync(join(out, workspace, file)));
        expect({ workspace, present }).toEqual({ workspace, present: [main, ...data] });
      }
    });

    it('carries the lockfile, every workspace manifest and the migrations, but no sources', () => {
      expect(existsSync(join(out, 'package-lock.json'))).toBe(true);
      for (const workspace of workspaces.values()) expect(existsSync(join(out, workspace, 'package.json'))).toBe(true);
      const migrations = readdirSync(join(REPO_ROOT, 'prisma', 'migrations'));
      expect(readdirSync(join(out, 'prisma', 'migrations'))).toEqual(migrations);
      for (const workspace of workspaces.values()) expect(existsSync(join(out, workspace, 'src'))).toBe(false);
    });
  });
});
