import { sqlState } from '../../common/error-summary';

/** The writer's ON CONFLICT already absorbs duplicate event ids; another one is no fault of the data. */
const UNIQUE_VIOLATION = '23505';

/**
 * Whether the database refused a batch for what it holds: a data exception (SQLSTATE class
 * 22: a NUL in text, a bad encoding, a value out of range) or an integrity violation (23)
 * other than a unique key. Those fail the same way on every delivery, so retrying the batch
 * is useless: the events to blame are isolated instead. Anything else (connection,
 * serialization, timeouts) may pass next time.
 */
export function isDataError(error: unknown): boolean {
  const state = sqlState(error);
  if (!state) return false;
  return state.startsWith('22') || (state.startsWith('23') && state !== UNIQUE_VIOLATION);
}
