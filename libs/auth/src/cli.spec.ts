import { execFile, execFileSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { PrismaService } from '@metaloop/db';
import { scratchSchema, WORKSPACE_ROOT, type ScratchSchema } from '@metaloop/testing';
import { migratedSchema } from './__tests__/fixtures';
import { ApiKeysService } from './api-keys.service';

const LIB = join(__dirname, '..');

interface Run {
  code: number;
  stdout: string;
  stderr: string;
}

/** Runs a compiled CLI of libs/auth/dist as `npm run keys:*` does, with only DATABASE_URL set. */
function runCli(cli: string, args: string[], databaseUrl: string): Promise<Run> {
  return new Promise((resolve) => {
    execFile(
      process.execPath,
      [join(LIB, 'dist', `${cli}.js`), ...args],
      { env: { PATH: process.env['PATH'] ?? '', DATABASE_URL: databaseUrl }, timeout: 20_000 },
      (error, stdout, stderr) => resolve({ code: error ? Number(error.code ?? 1) : 0, stdout, stderr }),
    );
  });
}

describe('the keys CLIs, compiled, end to end', () => {
  let scratch: ScratchSchema;
  let prisma: PrismaService;

  beforeAll(async () => {
    for (const lib of ['config', 'db']) {
      if (!existsSync(join(WORKSPACE_ROOT, 'libs', lib, 'dist', 'index.js'))) {
        throw new Error(`libs/${lib} is not built: run \`npx nx run auth:build\` (nx run auth:test does it first)`);
      }
    }
    execFileSync(process.execPath, [join(WORKSPACE_ROOT, 'scripts', 'compile.mjs')], { cwd: LIB, stdio: 'ignore' });
    scratch = await migratedSchema('auth_cli');
    prisma = new PrismaService({ databaseUrl: scratch.url });
  });

  afterAll(async () => {
    await prisma?.$disconnect();
    await scratch?.drop();
  });

  it('creates a key, prints it once with a warning, and the printed key verifies', async () => {
    const run = await runCli(
      'create-key-cli',
      ['--name', 'ci bot', '--scopes', 'feedback:write, oracle:read', '--expires-in-days', '7'],
      scratch.url,
    );
    expect(run).toMatchObject({ code: 0, stderr: '' });
    const keys = run.stdout.match(/mlk_[a-z0-9]{8}_[A-Za-z0-9_-]{43}/g);
    expect(keys).toHaveLength(1);
    const key = keys![0];
    expect(run.stdout).toMatch(/Store it now: it is shown this once/);
    expect(run.stdout).toMatch(/scopes\s+feedback:write, oracle:read/);
    const prefix = key.slice(4, 12);
    expect(run.stdout).toMatch(new RegExp(`prefix\\s+${prefix}`));

    const principal = await new ApiKeysService(prisma).verify(key);
    expect(principal).toMatchObject({ name: 'ci bot', scopes: ['feedback:write', 'oracle:read'] });
    expect(run.stdout).toMatch(new RegExp(`id\\s+${principal!.keyId}`));
    const row = await prisma.apiKey.findUniqueOrThrow({ where: { prefix } });
    const days = (row.expiresAt!.getTime() - row.createdAt.getTime()) / 86_400_000;
    expect(days).toBeCloseTo(7, 2);
  });

  it('lists keys without their secrets, and revokes one by prefix', async () => {
    const created = await runCli('create-key-cli', ['--name', 'to-revoke', '--scopes', 'admin'], scratch.url);
    const key = created.stdout.match(/mlk_[a-z0-9]{8}_[A-Za-z0-9_-]{43}/)![0];
    const prefix = key.slice(4, 12);

    const listed = await runCli('list-keys-cli', [], scratch.url);
    expect(listed.code).toBe(0);
    expect(listed.stdout).toMatch(new RegExp(`${prefix}\\s+to-revoke\\s+active\\s+admin`));
    expect(listed.stdout).not.toContain(key.slice(13));

    const revoked = await runCli('revoke-key-cli', [prefix], scratch.url);
    expect(revoked.code).toBe(0);
    expect(revoked.stdout).toContain(`Revoked API key ${prefix}`);
    expect(await new ApiKeysService(prisma).verify(key)).toBeNull();
    expect((await runCli('list-keys-cli', [], scratch.url)).stdout).toMatch(
      new RegExp(`${prefix}\\s+to-revoke\\s+revoked`),
    );

    const unknown = await runCli('revoke-key-cli', ['zzzzzzzz'], scratch.url);
    expect(unknown).toMatchObject({
      code: 1,
      stderr: expect.stringContaining('no API key with id or prefix "zzzzzzzz"'),
    });
  });

  it.each([
    [
      'an unknown scope',
      ['--name', 'x', '--scopes', 'oracle:read,root'],
      /--scopes: "root" is not a scope; expected one of feedback:write, /,
    ],
    ['no scopes', ['--name', 'x'], /--scopes: required/],
    ['no name', ['--scopes', 'admin'], /--name: required/],
    ['a bad expiry', ['--name', 'x', '--scopes', 'admin', '--expires-in-days', 'soon'], /--expires-in-days: /],
    ['an unknown option', ['--name', 'x', '--scopes', 'admin', '--force'], /Unknown option '--force'/],
  ])('refuses %s with exit code 2 and the usage, creating nothing', async (_case, args, message) => {
    const before = await prisma.apiKey.count();
    const run = await runCli('create-key-cli', args, scratch.url);
    expect(run.code).toBe(2);
    expect(run.stderr).toMatch(message);
    expect(run.stderr).toContain('usage: npm run keys:create');
    expect(run.stdout).toBe('');
    expect(await prisma.apiKey.count()).toBe(before);
  });

  it('says to migrate when the schema has no api_keys table, and names a bad DATABASE_URL', async () => {
    const empty = await scratchSchema('auth_cli_empty');
    try {
      const run = await runCli('list-keys-cli', [], empty.url);
      expect(run.code).toBe(1);
      expect(run.stderr).toContain('apply the migrations first (npm run db:migrate');
    } finally {
      await empty.drop();
    }
    const bad = await runCli('list-keys-cli', [], 'mysql://localhost/x');
    expect(bad.code).toBe(2);
    expect(bad.stderr).toMatch(/DATABASE_URL: expected a postgres/);
  });
});
