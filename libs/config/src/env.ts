import { z } from 'zod';

export class EnvValidationError extends Error {
  constructor(readonly problems: string[]) {
    super(`Invalid environment:\n${problems.map((p) => `  - ${p}`).join('\n')}`);
    this.name = 'EnvValidationError';
  }
}

/**
 * Validates raw environment variables against an app's zod schema. Every problem names
 * the variable, so a bad deploy fails at start with a message an operator can act on.
 */
export function validateEnv<S extends z.ZodType>(schema: S, raw: Record<string, unknown>): z.infer<S> {
  const result = schema.safeParse(raw);
  if (result.success) return result.data;
  const problems = result.error.issues.map((issue) => {
    const name = issue.path.map(String).join('.') || '(environment)';
    const received = issue.path.length === 1 ? raw[String(issue.path[0])] : undefined;
    const shown = received === undefined ? 'not set' : `got ${JSON.stringify(redact(String(issue.path[0]), received))}`;
    return `${name}: ${issue.message} (${shown})`;
  });
  throw new EnvValidationError(problems);
}

/** A validator for ConfigModule.forRoot({ validate }). */
export function envValidator<S extends z.ZodType>(schema: S): (raw: Record<string, unknown>) => z.infer<S> {
  return (raw) => validateEnv(schema, raw);
}

const SECRET_NAME = /(PASSWORD|SECRET|TOKEN|KEY|URL)/i;

function redact(name: string, value: unknown): unknown {
  if (!SECRET_NAME.test(name) || typeof value !== 'string') return value;
  return value.length > 4 ? `${value.slice(0, 2)}…(${value.length} chars)` : '…';
}
