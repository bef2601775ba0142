import { createHash } from 'node:crypto';
import { Logger } from '@nestjs/common';
import { PrismaService } from '@metaloop/db';
import { eventually, withClient, type ScratchSchema } from '@metaloop/testing';
import { countingClient, ManualClock, migratedSchema } from './__tests__/fixtures';
import { generateKey, KEY_PATTERN } from './api-key-format';
import { ApiKeyInputError, ApiKeysService } from './api-keys.service';
import type { AuthOptions } from './auth.options';

describe('ApiKeysService', () => {
  let scratch: ScratchSchema;
  let prisma: PrismaService;

  beforeAll(async () => {
    scratch = await migratedSchema('auth_keys');
    prisma = new PrismaService({ databaseUrl: scratch.url, applicationName: 'auth-keys-spec' });
  });

  afterAll(async () => {
    await prisma?.$disconnect();
    await scratch?.drop();
  });

  beforeEach(() => prisma.apiKey.deleteMany());

  /** A service with its own caches and clock; `calls` counts its apiKey queries. */
  function service(options: AuthOptions = {}) {
    const clock = new ManualClock();
    const counting = countingClient(prisma);
    const keys = new ApiKeysService(counting.client, { now: clock.now, ...options });
    return { keys, clock, calls: counting.calls, resetCalls: counting.reset };
  }

  async function query<T>(text: string, values: unknown[] = []): Promise<T[]> {
    return withClient(async (client) => {
      await client.query(`SET search_path TO "${scratch.schema}"`);
      return (await client.query(text, values)).rows as T[];
    });
  }

  describe('create', () => {
    it('returns the key once, as mlk_<prefix>_<secret>, and stores only its prefix and sha256', async () => {
      const { keys } = service();
      const created = await keys.create({ name: 'ingest', scopes: ['feedback:write', 'config:read'] });
      expect(created).toMatchObject({ name: 'ingest', scopes: ['feedback:write', 'config:read'], expiresAt: null });
      expect(created.key).toMatch(KEY_PATTERN);
      expect(created.key.startsWith(`mlk_${created.prefix}_`)).toBe(true);
      expect(created.key.slice(13)).toHaveLength(43);

      const [row] = await query<Record<string, unknown>>('SELECT * FROM api_keys WHERE id = $1', [created.id]);
      expect(row).toMatchObject({
        name: 'ingest',
        prefix: created.prefix,
        secret_hash: createHash('sha256').update(created.key).digest('hex'),
        scopes: ['feedback:write', 'config:read'],
        last_used_at: null,
        revoked_at: null,
      });
      const secret = created.key.slice(13);
      expect(JSON.stringify(row)).not.toContain(secret);
    });

    it('draws a fresh prefix and secret every time', async () => {
      const { keys } = service();
      const made = await Promise.all(
        Array.from({ length: 20 }, (_, i) => keys.create({ name: `k${i}`, scopes: ['admin'] })),
      );
      expect(new Set(made.map((k) => k.prefix)).size).toBe(20);
      expect(new Set(made.map((k) => k.key)).size).toBe(20);
    });

    it.each([
      ['an unknown scope', { name: 'x', scopes: ['oracle:read', 'root'] }, /"root" is not a scope/],
      ['no scope', { name: 'x', scopes: [] }, /at least one scope/],
      ['an empty name', { name: '  ', scopes: ['admin'] }, /name/],
      ['an expiry in the past', { name: 'x', scopes: ['admin'], expiresAt: new Date(Date.now() - 1000) }, /expiresAt/],
    ])('refuses %s', async (_case, input, message) => {
      const { keys } = service();
      await expect(keys.create(input as never)).rejects.toThrow(ApiKeyInputError);
      await expect(keys.create(input as never)).rejects.toThrow(message);
      expect(await prisma.apiKey.count()).toBe(0);
    });
  });

  describe('verify', () => {
    it('answers a valid key with its principal', async () => {
      const { keys } = service();
      const created = await keys.create({ name: 'ops', scopes: ['oracle:read', 'oracle:write'] });
      expect(await keys.verify(created.key)).toEqual({
        keyId: created.id,
        name: 'ops',
        scopes: ['oracle:read', 'oracle:write'],
      });
    });

    it('answers null for unknown and malformed keys, asking Postgres only about well-formed ones', async () => {
      const { keys, calls } = service();
      const created = await keys.create({ name: 'ops', scopes: ['admin'] });
      for (const malformed of [
        '',
        'nope',
        created.key.slice(0, -1),
        created.key.toUpperCase(),
        `${created.key} `,
        `Bearer ${created.key}`,
      ]) {
        expect(await keys.verify(malformed)).toBeNull();
      }
      expect(calls['findUnique'] ?? 0).toBe(0);
      expect(await keys.verify(generateKey())).toBeNull();
      expect(calls['findUnique']).toBe(1);
    });

    it('says from memory alone what it knows (known): verified and bad keys, undefined until Postgres was asked', async () => {
      const { keys, calls } = service();
      const created = await keys.create({ name: 'ops', scopes: ['admin'] });
      const unknown = generateKey();
      expect([keys.known(created.key), keys.known(unknown), keys.known('nope')]).toEqual([undefined, undefined, null]);
      expect(calls['findUnique'] ?? 0).toBe(0);
      await keys.verify(created.key);
      await keys.verify(unknown);
      expect(keys.known(created.key)).toEqual({ keyId: created.id, name: 'ops', scopes: ['admin'] });
      expect(keys.known(unknown)).toBeNull();
      expect(calls['findUnique']).toBe(2);
    });

    it('stops accepting a key when it expires, even one served from the cache', async () => {
      const { keys, clock } = service();
      const created = await keys.create({ name: 'temp', scopes: ['admin'], expiresAt: new Date(Date.now() + 10_000) });
      expect(await keys.verify(created.key)).not.toBeNull();
      expect(await keys.countActive()).toBe(1);
      clock.advance(10_001);
      expect(await keys.verify(created.key)).toBeNull();
      expect(await keys.countActive()).toBe(0);
      expect((await keys.list())[0]).toMatchObject({ prefix: created.prefix, status: 'expired' });
    });

    it('stops accepting a revoked key at once on the instance that revoked it', async () => {
      const { keys } = service();
      const created = await keys.create({ name: 'ci', scopes: ['admin'] });
      expect(await keys.verify(created.key)).not.toBeNull();
      const result = await keys.revoke(created.prefix);
      expect(result).toMatchObject({ alreadyRevoked: false, key: { id: created.id, status: 'revoked' } });
      expect(await keys.verify(created.key)).toBeNull();
      expect(await keys.countActive()).toBe(0);
    });

    it('serves a verified key from memory for the cache TTL, so a revocation elsewhere takes effect within it', async () => {
      const { keys, clock, calls, resetCalls } = service({ cacheTtlMs: 30_000 });
      const created = await keys.create({ name: 'hot', scopes: ['feedback:write'] });
      expect(await keys.verify(created.key)).not.toBeNull();
      expect(calls['findUnique']).toBe(1);

      // Another process (the revoke CLI) revokes it behind this instance's back.
      await query('UPDATE api_keys SET revoked_at = now() WHERE id = $1', [created.id]);
      resetCalls();
      for (let i = 0; i < 100; i++) expect(await keys.verify(created.key)).not.toBeNull();
      clock.advance(29_000);
      expect(await keys.verify(created.key)).not.toBeNull();
      expect(calls['findUnique'] ?? 0).toBe(0);

      clock.advance(1_001);
      expect(await keys.verify(created.key)).toBeNull();
      expect(calls['findUnique']).toBe(1);
    });

    it('remembers unknown keys for a few seconds (bounded), then asks again', async () => {
      const { keys, clock, calls } = service({ negativeCacheTtlMs: 5_000, negativeCacheMaxEntries: 3 });
      const key = generateKey();
      expect(await keys.verify(key)).toBeNull();
      // The key appears (as if created elsewhere with this very secret).
      await query(
        `INSERT INTO api_keys (id, name, prefix, secret_hash, scopes) VALUES (gen_random_uuid(), 'late', $1, $2, '{admin}')`,
        [key.slice(4, 12), createHash('sha256').update(key).digest('hex')],
      );
      expect(await keys.verify(key)).toBeNull();
      expect(calls['findUnique']).toBe(1);
      clock.advance(5_001);
      expect(await keys.verify(key)).toMatchObject({ name: 'late', scopes: ['admin'] });
      expect(calls['findUnique']).toBe(2);

      // Bounded: a flood of unknown keys pushes the oldest out instead of growing.
      const flood = Array.from({ length: 4 }, () => generateKey());
      for (const unknown of flood) await keys.verify(unknown);
      expect(calls['findUnique']).toBe(6);
      await keys.verify(flood[0]!);
      expect(calls['findUnique']).toBe(7);
      await keys.verify(flood[3]!);
      expect(calls['findUnique']).toBe(7);
    });

    it('lets concurrent misses for one key share one query', async () => {
      const { keys, calls } = service();
      const created = await keys.create({ name: 'burst', scopes: ['admin'] });
      const results = await Promise.all(Array.from({ length: 50 }, () => keys.verify(created.key)));
      expect(results.every((principal) => principal?.keyId === created.id)).toBe(true);
      expect(calls['findUnique']).toBe(1);
    });

    it('records last_used_at in the background, at most once a minute per key', async () => {
      const { keys, clock, calls } = service({ cacheTtlMs: 30_000, touchIntervalMs: 60_000 });
      const created = await keys.create({ name: 'used', scopes: ['admin'] });
      const lastUsed = async () =>
        (
          await query<{ last_used_at: Date | null }>('SELECT last_used_at FROM api_keys WHERE id = $1', [created.id])
        )[0]!.last_used_at;

      const first = clock.now();
      await keys.verify(created.key);
      await eventually(async () => expect((await lastUsed())?.getTime()).toBe(first), 2_000, 20);

      for (let i = 0; i < 20; i++) await keys.verify(created.key);
      clock.advance(31_000); // the cache entry expires; the next lookup must not write again
      await keys.verify(created.key);
      expect(calls['updateMany']).toBe(1);

      clock.advance(30_000);
      const second = clock.now();
      await keys.verify(created.key);
      expect(calls['updateMany']).toBe(2);
      await eventually(async () => expect((await lastUsed())?.getTime()).toBe(second), 2_000, 20);
    });

    it('does not wait for the last_used_at write', async () => {
      const { keys } = service();
      const created = await keys.create({ name: 'slow-db', scopes: ['admin'] });
      await keys.verify(created.key);
      // A write that never finishes must not hold verification up.
      const stalled = new ApiKeysService(
        new Proxy(prisma, {
          get: (target, property) =>
            property === 'apiKey'
              ? new Proxy(target.apiKey, {
                  get: (delegate, op) =>
                    op === 'updateMany'
                      ? () => new Promise(() => undefined)
                      : (Reflect.get(delegate, op) as (...a: unknown[]) => unknown).bind(delegate),
                })
              : Reflect.get(target, property),
        }),
      );
      const started = performance.now();
      expect(await stalled.verify(created.key)).not.toBeNull();
      expect(performance.now() - started).toBeLessThan(500);
    });

    it('answers 503 (not 401) when Postgres must be asked and does not answer', async () => {
      const down = new Proxy(prisma, {
        get: (target, property) =>
          property === 'apiKey'
            ? { findUnique: () => Promise.reject(new Error('connect ECONNREFUSED')) }
            : Reflect.get(target, property),
      });
      const logged = jest.spyOn(Logger.prototype, 'error').mockImplementation(() => undefined);
      const error = await new ApiKeysService(down).verify(generateKey()).catch((e: unknown) => e);
      expect(logged).toHaveBeenCalledWith(expect.stringContaining('ECONNREFUSED'));
      logged.mockRestore();
      expect(error).toMatchObject({
        httpStatus: 503,
        retryAfterSeconds: 2,
        message: expect.stringContaining('cannot be verified right now'),
      });
    });

    it('answers a cached key in microseconds (the ingest hot path)', async () => {
      const { keys } = service();
      const created = await keys.create({ name: 'fast', scopes: ['feedback:write'] });
      await keys.verify(created.key);
      const started = performance.now();
      for (let i = 0; i < 20_000; i++) await keys.verify(created.key);
      const perCallUs = ((performance.now() - started) * 1000) / 20_000;
      console.log(`cached verify: ${perCallUs.toFixed(2)} µs per call`);
      expect(perCallUs).toBeLessThan(50);
    });
  });

  describe('list, revoke, countActive', () => {
    it('lists every key with its status, never the secret or its hash', async () => {
      const { keys } = service();
      const a = await keys.create({ name: 'a', scopes: ['oracle:read'] });
      const b = await keys.create({ name: 'b', scopes: ['admin'], expiresAt: new Date(Date.now() + 86_400_000) });
      await keys.revoke(b.id);
      const listed = await keys.list();
      expect(listed.map((k) => [k.name, k.prefix, k.status])).toEqual([
        ['a', a.prefix, 'active'],
        ['b', b.prefix, 'revoked'],
      ]);
      expect(Object.keys(listed[0]!).sort()).toEqual(
        ['createdAt', 'expiresAt', 'id', 'lastUsedAt', 'name', 'prefix', 'revokedAt', 'scopes', 'status'].sort(),
      );
      expect(JSON.stringify(listed)).not.toContain(a.key.slice(13));
    });

    it('revokes by id, prefix, mlk_prefix or the whole key, once', async () => {
      const { keys } = service();
      for (const reference of [
        (k: { id: string }) => k.id,
        (k: { prefix: string }) => k.prefix,
        (k: { prefix: string }) => `mlk_${k.prefix}`,
        (k: { key: string }) => k.key,
      ]) {
        const created = await keys.create({ name: 'r', scopes: ['admin'] });
        expect(await keys.revoke(reference(created as never))).toMatchObject({
          alreadyRevoked: false,
          key: { id: created.id },
        });
        const again = await keys.revoke(created.prefix);
        expect(again).toMatchObject({ alreadyRevoked: true, key: { status: 'revoked' } });
        expect(again!.key.revokedAt).toBeInstanceOf(Date);
      }
      expect(await keys.revoke('zzzzzzzz')).toBeNull();
      expect(await keys.revoke('00000000-0000-0000-0000-000000000000')).toBeNull();
      expect(await keys.revoke("x' OR 1=1 --")).toBeNull();
      expect(await keys.countActive()).toBe(0);
    });

    it('counts only keys that would verify now', async () => {
      const { keys } = service();
      await keys.create({ name: 'a', scopes: ['admin'] });
      await keys.create({ name: 'b', scopes: ['admin'], expiresAt: new Date(Date.now() + 60_000) });
      const c = await keys.create({ name: 'c', scopes: ['admin'] });
      await query(`UPDATE api_keys SET expires_at = now() - interval '1 second' WHERE name = 'b'`);
      await keys.revoke(c.prefix);
      expect(await keys.countActive()).toBe(1);
    });
  });
});
