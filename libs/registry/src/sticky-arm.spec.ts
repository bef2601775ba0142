import { ARM_BUCKETS, armBucket, stickyArm } from './sticky-arm';

const sessions = Array.from({ length: 10_000 }, (_, i) => `session-${i}-${(i * 7919) % 104729}`);
const rolloutId = '0193a3b4-5c6d-7e8f-9a0b-1c2d3e4f5a6b';
const arms = (weightBp: number, id = rolloutId) =>
  sessions.map((session) => stickyArm({ rolloutId: id, weightBp }, session));
const canaryShare = (assigned: string[]) => assigned.filter((arm) => arm === 'canary').length / assigned.length;

describe('sticky canary arms', () => {
  it('puts 5 % ± 1 % of 10,000 distinct sessions on the canary at weight 5 %', () => {
    const share = canaryShare(arms(500));
    expect(share).toBeGreaterThanOrEqual(0.04);
    expect(share).toBeLessThanOrEqual(0.06);
  });

  it('gives the same session the same arm every time', () => {
    expect(arms(500)).toEqual(arms(500));
    expect(armBucket(rolloutId, 'user_123_session')).toBe(armBucket(rolloutId, 'user_123_session'));
  });

  it('keeps every canary session on the canary when the weight rises to 25 %, and only adds sessions', () => {
    const atFive = arms(500);
    const atTwentyFive = arms(2_500);
    const movedBack = sessions.filter((_, i) => atFive[i] === 'canary' && atTwentyFive[i] !== 'canary');
    expect(movedBack).toEqual([]);
    expect(canaryShare(atTwentyFive)).toBeGreaterThanOrEqual(0.24);
    expect(canaryShare(atTwentyFive)).toBeLessThanOrEqual(0.26);
  });

  it('draws a new split for each rollout, so one session is not always the guinea pig', () => {
    const other = arms(500, '0193a3b4-5c6d-7e8f-9a0b-000000000001');
    const both = arms(500).filter((arm, i) => arm === 'canary' && other[i] === 'canary').length;
    // independent 5 % splits overlap in about 0.25 % of sessions (25 of 10,000)
    expect(both).toBeLessThan(75);
  });

  it('sends nobody to the canary at weight 0 and everybody at 100 %', () => {
    expect(canaryShare(arms(0))).toBe(0);
    expect(canaryShare(arms(ARM_BUCKETS))).toBe(1);
    expect(stickyArm(null, 'anyone')).toBe('stable');
  });

  it('spreads buckets evenly over 0–9,999', () => {
    const deciles = new Array(10).fill(0);
    for (const session of sessions) deciles[Math.floor(armBucket(rolloutId, session) / 1_000)]++;
    for (const count of deciles) expect(Math.abs(count - 1_000)).toBeLessThan(150);
  });
});
