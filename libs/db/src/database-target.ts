/**
 * A Postgres connection string may carry Prisma's `?schema=` parameter; node-postgres does
 * not understand it, so it is split off and applied as the search_path and Prisma schema.
 */
export interface DatabaseTarget {
  connectionString: string;
  schema: string;
}

const SCHEMA_NAME = /^[A-Za-z_][A-Za-z0-9_]{0,62}$/;

export function parseDatabaseUrl(url: string): DatabaseTarget {
  const parsed = new URL(url);
  const schema = parsed.searchParams.get('schema') ?? 'public';
  if (!SCHEMA_NAME.test(schema)) {
    throw new Error(`DATABASE_URL: schema "${schema}" is not a plain identifier`);
  }
  parsed.searchParams.delete('schema');
  return { connectionString: parsed.toString(), schema };
}

/** Quotes an identifier for SQL; only plain identifiers reach here (see parseDatabaseUrl). */
export function quoteIdent(name: string): string {
  return `"${name.replace(/"/g, '""')}"`;
}

/** pg Pool options that pin every connection to the target schema. */
export function poolConfigFor(target: DatabaseTarget, extra: { max?: number; application_name?: string } = {}) {
  return {
    connectionString: target.connectionString,
    options: `-c search_path=${target.schema}`,
    ...extra,
  };
}
