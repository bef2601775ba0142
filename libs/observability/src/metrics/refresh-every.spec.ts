import { refreshEvery } from './refresh-every';

describe('refreshEvery', () => {
  beforeEach(() => jest.useFakeTimers());
  afterEach(() => jest.useRealTimers());

  it('refreshes at once and on each interval, never two at once, and keeps going after a failure', async () => {
    let calls = 0;
    let release!: () => void;
    const stop = refreshEvery(100, () => {
      calls++;
      if (calls === 1) return Promise.reject(new Error('Postgres down'));
      return new Promise<void>((resolve) => (release = resolve));
    });
    expect(calls).toBe(1);
    await jest.advanceTimersByTimeAsync(100);
    expect(calls).toBe(2);
    await jest.advanceTimersByTimeAsync(300);
    expect(calls).toBe(2); // the second refresh still runs
    release();
    await jest.advanceTimersByTimeAsync(100);
    expect(calls).toBe(3);
    stop();
    await jest.advanceTimersByTimeAsync(1_000);
    expect(calls).toBe(3);
  });
});
