import { uuidv7 } from './uuidv7';

describe('uuidv7', () => {
  it('is an RFC 9562 version 7 UUID carrying the time', () => {
    expect(uuidv7(0x0190_0000_0000)).toMatch(/^01900000-0000-7[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
    expect(uuidv7(Date.parse('2026-12-07T10:00:00Z')).slice(0, 13)).toBe(
      `${Date.parse('2026-12-07T10:00:00Z').toString(16).padStart(12, '0').slice(0, 8)}-${Date.parse('2026-12-07T10:00:00Z').toString(16).padStart(12, '0').slice(8)}`,
    );
  });

  it('sorts by time and never repeats', () => {
    const ids = [uuidv7(1_000), uuidv7(2_000), uuidv7(3_000)];
    expect([...ids].sort()).toEqual(ids);
    expect(new Set(Array.from({ length: 10_000 }, () => uuidv7())).size).toBe(10_000);
  });
});
