import { EnvValidationError, postgresUrl, validateEnv } from '@metaloop/config';
import { Prisma, PrismaService } from '@metaloop/db';
import { z } from 'zod';
import { ApiKeyInputError, ApiKeysService } from '../api-keys.service';

export const DEFAULT_DATABASE_URL = 'postgresql://postgres@127.0.0.1:5432/metaloop';

const cliEnvSchema = z.object({ DATABASE_URL: postgresUrl.default(DEFAULT_DATABASE_URL) });

/** Ends the process with a message on stderr (2: bad usage, 1: it did not work). */
export function fail(message: string, exitCode = 1): never {
  process.stderr.write(`${message}\n`);
  process.exit(exitCode);
}

export function print(text = ''): void {
  process.stdout.write(`${text}\n`);
}

/** Runs `fn` with an ApiKeysService on DATABASE_URL (`?schema=` honoured) and always disconnects. */
export async function withApiKeys<T>(fn: (keys: ApiKeysService) => Promise<T>): Promise<T> {
  let databaseUrl: string;
  try {
    databaseUrl = validateEnv(cliEnvSchema, process.env).DATABASE_URL;
  } catch (error) {
    if (error instanceof EnvValidationError) fail(error.message, 2);
    throw error;
  }
  const prisma = new PrismaService({ databaseUrl, applicationName: 'metaloop-keys', poolSize: 2 });
  try {
    return await fn(new ApiKeysService(prisma));
  } catch (error) {
    fail(explain(error, databaseUrl));
  } finally {
    await prisma.$disconnect().catch(() => undefined);
  }
}

function explain(error: unknown, databaseUrl: string): string {
  if (error instanceof ApiKeyInputError) return error.message;
  const where = describeTarget(databaseUrl);
  if (error instanceof Prisma.PrismaClientKnownRequestError && error.code === 'P2021') {
    return `the api_keys table does not exist in ${where}: apply the migrations first (npm run db:migrate with the same DATABASE_URL)`;
  }
  return `cannot reach the key store at ${where}: ${causeOf(error)}`;
}

/** Prisma prefixes the cause with the invocation and a code frame; its last line is the cause. */
function causeOf(error: unknown): string {
  const lines = String((error as Error)?.message ?? error)
    .split('\n')
    .map((line) => line.trim())
    .filter(Boolean);
  return lines.at(-1) ?? 'unknown error';
}

/** host:port/database (schema), without credentials. */
function describeTarget(databaseUrl: string): string {
  try {
    const url = new URL(databaseUrl);
    return `${url.host}${url.pathname} (schema ${url.searchParams.get('schema') ?? 'public'})`;
  } catch {
    return 'DATABASE_URL';
  }
}

export function formatDate(date: Date | null): string {
  return date ? date.toISOString().replace(/\.\d{3}Z$/, 'Z') : '-';
}
