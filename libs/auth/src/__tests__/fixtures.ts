import { DEFAULT_MIGRATIONS_DIR, migrate, type PrismaClient } from '@metaloop/db';
import { scratchSchema, type ScratchSchema } from '@metaloop/testing';

/** A scratch schema in the test database with every migration applied; `drop()` removes it. */
export async function migratedSchema(suite: string): Promise<ScratchSchema> {
  const scratch = await scratchSchema(suite);
  await migrate({ databaseUrl: scratch.url, migrationsDir: DEFAULT_MIGRATIONS_DIR });
  return scratch;
}

/** A clock that only the test moves (it starts at the real time, so database defaults agree). */
export class ManualClock {
  private current = Date.now();
  readonly now = (): number => this.current;
  advance(ms: number): void {
    this.current += ms;
  }
}

/**
 * The client with every `apiKey.<operation>` call counted, to tell a cache hit from a
 * database round trip.
 */
export function countingClient(prisma: PrismaClient): {
  client: PrismaClient;
  calls: Record<string, number>;
  reset(): void;
} {
  const calls: Record<string, number> = {};
  const apiKey = new Proxy(prisma.apiKey, {
    get(target, property, receiver) {
      const value = Reflect.get(target, property, receiver);
      if (typeof value !== 'function') return value;
      return (...args: unknown[]) => {
        calls[String(property)] = (calls[String(property)] ?? 0) + 1;
        return value.apply(target, args);
      };
    },
  });
  const client = new Proxy(prisma, {
    get: (target, property, receiver) => (property === 'apiKey' ? apiKey : Reflect.get(target, property, receiver)),
  });
  return {
    client,
    calls,
    reset: () => {
      for (const key of Object.keys(calls)) delete calls[key];
    },
  };
}
