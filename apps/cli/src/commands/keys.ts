import { spawn, spawnSync } from 'node:child_process';
import { existsSync, readdirSync, statSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { positionals, str } from '../args';
import type { Verb } from '../command';
import { CommandError, UsageError } from '../errors';
import { EXIT } from '../exit-codes';

const SCRIPTS = { create: 'create-key-cli', list: 'list-keys-cli', revoke: 'revoke-key-cli' } as const;

/** The repository checkout this CLI runs from, if any: the folder holding libs/auth. */
export function findRepository(from: string): string | undefined {
  let dir = from;
  for (let i = 0; i < 8; i++) {
    if (existsSync(join(dir, 'libs', 'auth', 'package.json')) && existsSync(join(dir, 'nx.json'))) return dir;
    const parent = dirname(dir);
    if (parent === dir) return undefined;
    dir = parent;
  }
  return undefined;
}

function newestMtime(dir: string): number {
  let newest = 0;
  for (const entry of readdirSync(dir, { withFileTypes: true, recursive: true })) {
    if (entry.isFile() && entry.name.endsWith('.ts')) {
      newest = Math.max(newest, statSync(join(entry.parentPath, entry.name)).mtimeMs);
    }
  }
  return newest;
}

/**
 * API keys. The first key is made before any key exists, so these talk to Postgres directly
 * (DATABASE_URL), not to the API: they run the repository's own key commands (libs/auth, the
 * same as `npm run keys:*`), building them first when needed.
 */
export const keys: Verb = {
  name: 'keys',
  summary: 'API keys in Postgres (DATABASE_URL): create (printed once), list, revoke',
  usage: [
    'keys create --name <name> --scopes <scope,...> [--expires-in-days <n>]',
    'keys list',
    'keys revoke <id|prefix>',
  ],
  options: {
    name: { type: 'string', value: '<name>', description: 'create: what the key is for' },
    scopes: {
      type: 'string',
      value: '<a,b>',
      description:
        'create: feedback:write, config:read, oracle:read, oracle:write, oracle:execute, oracle:rollback, admin',
    },
    'expires-in-days': { type: 'string', value: '<n>', description: 'create: expiry (default never)' },
    'database-url': {
      type: 'string',
      value: '<url>',
      description: 'Postgres (env DATABASE_URL, default postgresql://postgres@127.0.0.1:5432/metaloop)',
    },
  },
  notes:
    'Needs the metaloop repository (libs/auth): run it from a checkout (npx metaloop keys …); the same as npm run keys:create|list|revoke.',
  async run(ctx, args) {
    const [sub] = args.positionals;
    if (sub !== 'create' && sub !== 'list' && sub !== 'revoke') {
      throw new UsageError(sub ? `unknown keys command "${sub}"` : 'say create, list or revoke', args.verb);
    }
    const forward: string[] = [];
    if (sub === 'create') {
      positionals(args, ['create']);
      for (const flag of ['name', 'scopes', 'expires-in-days']) {
        const value = str(args, flag);
        if (value !== undefined) forward.push(`--${flag}`, value);
      }
    } else if (sub === 'revoke') {
      const [, reference] = positionals(args, ['revoke', 'id|prefix']);
      forward.push(reference!);
    } else {
      positionals(args, ['list']);
    }
    const repo = findRepository(__dirname);
    if (!repo) {
      throw new CommandError(
        'metaloop keys writes API keys to Postgres directly and needs the metaloop repository (libs/auth); ' +
          'this copy is installed on its own: run `npx metaloop keys …` (or `npm run keys:*`) in a checkout',
      );
    }
    const lib = join(repo, 'libs', 'auth');
    const script = join(lib, 'dist', `${SCRIPTS[sub]}.js`);
    if (!existsSync(script) || newestMtime(join(lib, 'src')) > statSync(script).mtimeMs) {
      const nx = join(repo, 'node_modules', '.bin', 'nx');
      const built = spawnSync(nx, ['run', 'auth:build', '--output-style=static'], {
        cwd: repo,
        stdio: ['ignore', 'ignore', 'inherit'],
      });
      if (built.status !== 0 || !existsSync(script)) {
        throw new CommandError(`could not build libs/auth (npx nx run auth:build in ${repo})`);
      }
    }
    const databaseUrl = str(args, 'database-url');
    const env = { ...process.env, ...(databaseUrl ? { DATABASE_URL: databaseUrl } : {}) };
    const code = await new Promise<number>((resolve) => {
      const child = spawn(process.execPath, [script, ...forward], { stdio: ['ignore', 'pipe', 'pipe'], env });
      child.stdout.on('data', (chunk: Buffer) => ctx.stdout.write(inOurTerms(chunk)));
      child.stderr.on('data', (chunk: Buffer) => ctx.stderr.write(inOurTerms(chunk)));
      child.on('close', (status) => resolve(status ?? EXIT.other));
    });
    return code;
  },
};

/** The key commands' own hints (`npm run keys:create -- …`) as this command spells them. */
function inOurTerms(chunk: Buffer): string {
  return chunk.toString().replace(/npm run keys:(\w+)( --)?/g, 'metaloop keys $1');
}
