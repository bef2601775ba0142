import { bestQuality, buildFleet, DICL_CAP, qualityOf, QUALITY, servedQuality } from './fleet';
import { TOPICS } from './topics';
import { apportion, streamSeed } from './random';

describe('the ground truth', () => {
  const fleet = buildFleet({ seed: 1, agents: 30, idPrefix: 'eff-ab12', runSeconds: 720 });

  it('is a pure function of its seed', () => {
    expect(buildFleet({ seed: 1, agents: 30, idPrefix: 'eff-ab12', runSeconds: 720 })).toEqual(fleet);
    const other = buildFleet({ seed: 2, agents: 30, idPrefix: 'eff-ab12', runSeconds: 720 });
    expect(other.agents.map((a) => a.stable.quality)).not.toEqual(fleet.agents.map((a) => a.stable.quality));
  });

  it('splits 30 agents into 12 fine, 16 needy and 2 learnable; the needy ones’ candidates are 6 better, 5 worse and 5 identical', () => {
    const needy = fleet.agents.filter((a) => a.kind === 'needy');
    expect(fleet.agents.filter((a) => a.kind === 'fine')).toHaveLength(12);
    expect(fleet.agents.filter((a) => a.kind === 'learnable')).toHaveLength(2);
    expect(needy).toHaveLength(16);
    const classes = needy.map((a) => a.candidates[0]!.truth);
    expect(classes.filter((c) => c === 'better')).toHaveLength(6);
    expect(classes.filter((c) => c === 'worse')).toHaveLength(5);
    expect(classes.filter((c) => c === 'identical')).toHaveLength(5);
    const without = buildFleet({ seed: 1, agents: 30, idPrefix: 'x', runSeconds: 720, learnable: 0 });
    expect(without.agents.filter((a) => a.kind === 'needy')).toHaveLength(18);
  });

  it('registers nothing for a learnable agent; only its runtime sends artifacts, unless all do', () => {
    for (const a of fleet.agents) {
      expect(a.artifacts).toBe(a.kind === 'learnable');
      if (a.kind === 'learnable') expect(a.candidates).toEqual([]);
      expect(a.topics.length).toBeGreaterThanOrEqual(5);
      expect(a.topics.length).toBeLessThanOrEqual(6);
      expect(new Set(a.topics).size).toBe(a.topics.length);
      expect(a.topics.every((t) => TOPICS.some((x) => x.id === t))).toBe(true);
      expect(a.diclLift).toBeGreaterThanOrEqual(QUALITY.diclLift[0]);
      expect(a.diclLift).toBeLessThanOrEqual(QUALITY.diclLift[1]);
    }
    const all = buildFleet({ seed: 1, agents: 30, idPrefix: 'eff-ab12', runSeconds: 720, artifacts: 'all' });
    expect(all.agents.every((a) => a.artifacts)).toBe(true);
  });

  it('lifts a session helped by retrieved examples by the agent’s lift, up to the cap; else serves its prompt', () => {
    const a = fleet.agents.find((x) => x.kind === 'learnable')!;
    expect(servedQuality(a, 0.4, false)).toBe(0.4);
    expect(servedQuality(a, 0.4, true)).toBeCloseTo(0.4 + a.diclLift, 10);
    expect(servedQuality(a, 0.9, true)).toBe(DICL_CAP);
    expect(servedQuality(a, 0.97, true)).toBe(0.97);
    expect(bestQuality(a)).toBeCloseTo(Math.min(DICL_CAP, a.stable.quality + a.diclLift), 10);
  });

  it('gives every agent a unique id, a traffic share (heavy ones 5× the light ones) and a quality in its kind’s range', () => {
    expect(new Set(fleet.agents.map((a) => a.agentId)).size).toBe(30);
    expect(fleet.agents.every((a) => a.agentId.startsWith('eff-ab12-'))).toBe(true);
    expect(fleet.agents.reduce((sum, a) => sum + a.weight, 0)).toBeCloseTo(1, 10);
    const weights = new Set(fleet.agents.map((a) => a.weight.toFixed(6)));
    expect(weights.size).toBe(3);
    const heavy = fleet.agents.find((a) => a.tier === 'heavy')!.weight;
    const light = fleet.agents.find((a) => a.tier === 'light')!.weight;
    expect(heavy / light).toBeCloseTo(5, 10);
    for (const a of fleet.agents) {
      const [min, max] = QUALITY[a.kind];
      expect(a.stable.quality).toBeGreaterThanOrEqual(min);
      expect(a.stable.quality).toBeLessThanOrEqual(max);
    }
  });

  it('makes better candidates clearly better, worse ones clearly worse and identical ones the same', () => {
    for (const a of fleet.agents.filter((x) => x.kind !== 'learnable')) {
      const c = a.candidates[0]!;
      const delta = c.quality - a.stable.quality;
      if (c.truth === 'better') expect(delta).toBeGreaterThanOrEqual(QUALITY.betterLift[0] - 0.001);
      if (c.truth === 'worse') expect(-delta).toBeGreaterThanOrEqual(QUALITY.worseDrop[0] - 0.001);
      if (c.truth === 'identical') expect(delta).toBe(0);
    }
    expect(fleet.agents.filter((a) => a.kind === 'fine').every((a) => a.candidates[0]!.truth !== 'better')).toBe(true);
  });

  it('schedules a tenth of the fleet as regressions on fine agents, between 30 % and 50 % of the run, to a bad prompt', () => {
    const regressed = fleet.agents.filter((a) => a.regression);
    expect(regressed).toHaveLength(3);
    for (const a of regressed) {
      expect(a.kind).toBe('fine');
      expect(a.regression!.atSeconds).toBeGreaterThanOrEqual(216);
      expect(a.regression!.atSeconds).toBeLessThanOrEqual(360);
      expect(a.regression!.prompt.quality).toBeLessThan(a.stable.quality - 0.4);
    }
  });

  it('knows the true quality of every prompt it may be served, a rule patch being worth its parent', () => {
    const a = fleet.agents.find((x) => x.regression)!;
    expect(a.kind).toBe('fine');
    expect(qualityOf(a, 'v1')).toBe(a.stable.quality);
    expect(qualityOf(a, 'v2')).toBe(a.candidates[0]!.quality);
    expect(qualityOf(a, 'v1-hotfix')).toBe(a.regression!.prompt.quality);
    expect(qualityOf(a, 'v1:accuracy')).toBe(a.stable.quality);
    expect(qualityOf(a, 'v9')).toBeUndefined();
    expect(bestQuality(a)).toBe(Math.max(a.stable.quality, a.candidates[0]!.quality));
  });
});

describe('random streams and apportioning', () => {
  it('names a stream by its integers: equal names, equal seeds; a different part, a different seed', () => {
    expect(streamSeed(1, 2, 3)).toBe(streamSeed(1, 2, 3));
    expect(
      new Set([
        streamSeed(1, 2, 3),
        streamSeed(1, 2, 4),
        streamSeed(1, 3, 3),
        streamSeed(2, 2, 3),
        streamSeed(1, 2, 3 + 2 ** 32),
      ]).size,
    ).toBe(5);
  });

  it('apportions by largest remainder, ties to the earlier class', () => {
    expect(apportion(18, { better: 0.4, worse: 0.3, identical: 0.3 })).toEqual({ better: 7, worse: 6, identical: 5 });
    expect(apportion(5, { a: 0.4, b: 0.3, c: 0.3 })).toEqual({ a: 2, b: 2, c: 1 });
    expect(apportion(0, { a: 1 })).toEqual({ a: 0 });
  });
});
