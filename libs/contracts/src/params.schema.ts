import { z } from 'zod';
import { LIMITS } from './limits';
import { isStorableText, storableString, UNSTORABLE_TEXT_MESSAGE } from './storable-text';

/*
 * Path and query parameters. Postgres cannot store (nor compare with) a NUL or an unpaired UTF-16
 * surrogate in text, so an id holding one is refused here as a 400 naming the parameter, instead
 * of reaching a query and failing there as a 500.
 */

/** A text query parameter that filters by an id, a name or an action. */
export const queryText = storableString().max(LIMITS.idLength);

/**
 * A path parameter holding an id (`@Param('agent_id', { schema: pathId('agent_id') })`): a path
 * parameter is validated on its own, so its issue names it explicitly.
 */
export function pathId(name: string) {
  return z.string().superRefine((value, ctx) => {
    const message =
      value.length === 0
        ? 'must not be empty'
        : value.length > LIMITS.idLength
          ? `must be at most ${LIMITS.idLength} characters`
          : isStorableText(value)
            ? undefined
            : UNSTORABLE_TEXT_MESSAGE;
    if (message) ctx.addIssue({ code: 'custom', message, path: [name] });
  });
}

/** A path parameter holding a UUID of any version: an id that does not exist is then a 404, whatever its version. */
export function pathUuid(name: string) {
  return z.string().superRefine((value, ctx) => {
    if (!z.uuid().safeParse(value).success) ctx.addIssue({ code: 'custom', message: 'must be a UUID', path: [name] });
  });
}

/** The largest id of a Postgres `bigint` (audit entries are numbered by one). */
const MAX_BIGINT = 2n ** 63n - 1n;

/** A cursor that is a `bigint` id: decimal digits within its range. */
export const bigintCursor = z
  .string()
  .refine(
    (value) => /^\d{1,19}$/.test(value) && BigInt(value) <= MAX_BIGINT,
    'must be the next_cursor of a previous page (a decimal number below 2^63)',
  );
