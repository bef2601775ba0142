import { isDataError } from './data-errors';

/** A raw-query failure as Prisma's driver adapter reports it. */
const adapterError = (code: string) =>
  Object.assign(new Error('raw query failed'), {
    meta: { driverAdapterError: { cause: { originalCode: code, originalMessage: `failed with ${code}` } } },
  });
/** The same through the library engine's P2010. */
const engineError = (code: string) =>
  Object.assign(new Error('raw query failed'), { meta: { code, message: `failed with ${code}` } });

describe('isDataError', () => {
  it.each([
    ['22P05', true], // unsupported Unicode escape (\u0000 in jsonb)
    ['22021', true], // character not in repertoire (NUL in text)
    ['22001', true], // string data right truncation
    ['22009', true], // invalid time zone displacement
    ['23514', true], // check violation
    ['23502', true], // not null violation
    ['23505', false], // unique violation: the writer's own business
    ['40001', false], // serialization failure: retry
    ['40P01', false], // deadlock: retry
    ['08006', false], // connection failure: retry
    ['57P01', false], // admin shutdown: retry
  ])('SQLSTATE %s blames the data: %s', (code, expected) => {
    expect(isDataError(adapterError(code))).toBe(expected);
    expect(isDataError(engineError(code))).toBe(expected);
  });

  it('an error without a SQLSTATE does not', () => {
    expect(isDataError(new Error('Connection terminated unexpectedly'))).toBe(false);
    expect(isDataError('nope')).toBe(false);
  });
});
