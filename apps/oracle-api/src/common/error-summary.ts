interface DatabaseError {
  code?: string;
  message?: string;
}

/** The database's own code and message inside a Prisma error, when it carries them. */
function databaseError(error: Error): DatabaseError | null {
  const meta = (
    error as {
      meta?: {
        code?: unknown;
        message?: unknown;
        driverAdapterError?: { cause?: { originalCode?: unknown; originalMessage?: unknown } };
      };
    }
  ).meta;
  const text = (value: unknown) => (typeof value === 'string' && value ? value : undefined);
  const cause = meta?.driverAdapterError?.cause;
  if (cause && text(cause.originalMessage))
    return { code: text(cause.originalCode), message: text(cause.originalMessage) };
  if (meta && text(meta.message)) return { code: text(meta.code), message: text(meta.message) };
  return null;
}

/**
 * A one-line description of an error for logs and dead-letter reasons. Prisma wraps a
 * failed raw query in a long multi-line message; the database's own code and message are
 * what an operator needs.
 */
export function errorSummary(error: unknown): string {
  if (!(error instanceof Error)) return String(error);
  const database = databaseError(error);
  if (database?.message) return database.code ? `${database.message} (SQLSTATE ${database.code})` : database.message;
  return error.message.replace(/\s+/g, ' ').trim();
}

/** The SQLSTATE of a failed query (e.g. `22P05`), or undefined when the error is not the database's answer. */
export function sqlState(error: unknown): string | undefined {
  return error instanceof Error ? databaseError(error)?.code : undefined;
}
