/**
 * A one-line description of an error for logs and dead-letter reasons. Prisma wraps a
 * failed raw query in a long multi-line message; the database's own code and message are
 * what an operator needs.
 */
export function errorSummary(error: unknown): string {
  if (!(error instanceof Error)) return String(error);
  const meta = (
    error as {
      meta?: {
        code?: unknown;
        message?: unknown;
        driverAdapterError?: { cause?: { originalCode?: unknown; originalMessage?: unknown } };
      };
    }
  ).meta;
  const cause = meta?.driverAdapterError?.cause;
  if (cause && typeof cause.originalMessage === 'string') return withCode(cause.originalCode, cause.originalMessage);
  if (meta && typeof meta.message === 'string') return withCode(meta.code, meta.message);
  return error.message.replace(/\s+/g, ' ').trim();
}

function withCode(code: unknown, message: string): string {
  return typeof code === 'string' && code ? `${message} (SQLSTATE ${code})` : message;
}
