import { z } from 'zod';

/*
 * Postgres cannot store a NUL in text or jsonb, and a surrogate without its pair is no
 * character at all (UTF-8 cannot encode it). Text holding one would be accepted, then refused
 * by the database: every string of a body is checked here, so it is a 400 naming the field.
 */

/** NUL, or a surrogate without its pair (matched per UTF-16 code unit, hence no `u` flag). */
// eslint-disable-next-line no-control-regex -- NUL is exactly what must be found
const UNSTORABLE = /\u0000|[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/;

export const UNSTORABLE_TEXT_MESSAGE = 'must not contain NUL characters or unpaired surrogates';

/** Whether Postgres can store the text as it is. */
export const isStorableText = (value: string): boolean => !UNSTORABLE.test(value);

/** The string every body field is made of: any text Postgres can store. */
export const storableString = () => z.string().refine(isStorableText, UNSTORABLE_TEXT_MESSAGE);
