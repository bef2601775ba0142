import { createRandom } from '@metaloop/stats';
import { streamRandom } from '../truth/random';
import { fleetRate, SessionClock } from './load';
import { DEFAULT_USER_MODEL, expectedErrorRate, expectedMeanRating, interact } from './user-model';

describe('the user model', () => {
  const many = (quality: number, n = 40_000) => {
    const random = createRandom(42);
    return Array.from({ length: n }, () => interact(quality, random));
  };

  it('answers the same for the same stream: a session is a function of (seed, agent, session index)', () => {
    expect(interact(0.6, streamRandom(1, 3, 17))).toEqual(interact(0.6, streamRandom(1, 3, 17)));
  });

  it('rates good interactions 4–5 and helpful, bad ones 1–3 and unhelpful, unless the user is noisy', () => {
    for (const i of many(0.5, 5000).filter((x) => !x.noisy)) {
      expect(i.good ? i.explicit.rating >= 4 : i.explicit.rating <= 3).toBe(true);
      expect(i.explicit.helpful).toBe(i.good);
      if (i.good) expect(i.implicit.success).toBe(true);
    }
  });

  it('complains only about bad interactions, with a tag', () => {
    const all = many(0.5, 5000);
    const complaints = all.filter((i) => i.explicit.complaint);
    expect(complaints.length).toBeGreaterThan(0);
    expect(complaints.every((i) => !i.good && i.tags?.length === 1)).toBe(true);
    expect(all.filter((i) => !i.explicit.complaint).every((i) => i.tags === undefined)).toBe(true);
  });

  it.each([0.3, 0.45, 0.75, 0.9])('gives q = %s the mean rating and error rate it promises', (q) => {
    const all = many(q);
    const mean = all.reduce((s, i) => s + i.explicit.rating, 0) / all.length;
    const errors = all.filter((i) => !i.implicit.success).length / all.length;
    expect(Math.abs(mean - expectedMeanRating(q))).toBeLessThan(0.03);
    expect(Math.abs(errors - expectedErrorRate(q))).toBeLessThan(0.01);
  });

  it('puts needy agents clearly below a mean rating of 3 and fine ones well above it', () => {
    expect(expectedMeanRating(0.45)).toBeLessThan(2.75);
    expect(expectedMeanRating(0.85)).toBeGreaterThan(3.8);
  });

  it('draws response times log-normally around the median', () => {
    const times = many(0.9, 20_000)
      .map((i) => i.implicit.response_time_ms)
      .sort((a, b) => a - b);
    expect(Math.abs(times[10_000]! - DEFAULT_USER_MODEL.latencyMedianMs)).toBeLessThan(25);
    expect(times.every((t) => t > 0)).toBe(true);
  });
});

describe('the load', () => {
  it('follows a compressed day around its mean', () => {
    const load = { meanRate: 200, periodSeconds: 240, amplitude: 0.5 };
    expect(fleetRate(load, 0)).toBeCloseTo(200);
    expect(fleetRate(load, 60)).toBeCloseTo(300);
    expect(fleetRate(load, 180)).toBeCloseTo(100);
  });

  it('hands every agent exactly its share of the sessions, whatever the steps', () => {
    const clock = new SessionClock([0.5, 0.3, 0.2]);
    const totals = [0, 0, 0];
    for (let i = 0; i < 1000; i++) clock.advance(100, i % 3 === 0 ? 0.013 : 0.021).forEach((n, a) => (totals[a]! += n));
    const expected = 100 * (334 * 0.013 + 666 * 0.021);
    totals.forEach((n, a) => expect(Math.abs(n - expected * [0.5, 0.3, 0.2][a]!)).toBeLessThanOrEqual(1));
  });
});
