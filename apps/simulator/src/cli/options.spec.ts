import { efficacyArgs, numberOption, parseFlags } from './options';
import { scaleFleetLimits } from '../efficacy/policy-scaling';

describe('command-line options', () => {
  it('reads --name value, --name=value and bare flags', () => {
    expect(parseFlags(['--agents', '8', '--minutes=4', '--bulk', '--seed', '2'])).toEqual({
      agents: '8',
      minutes: '4',
      bulk: true,
      seed: '2',
    });
    expect(() => parseFlags(['8'])).toThrow('unexpected argument "8"');
  });

  it('takes a flag over its environment variable over the default', () => {
    expect(efficacyArgs(parseFlags(['--agents', '8']), { EFFICACY_AGENTS: '12', EFFICACY_SEED: '3' })).toMatchObject({
      agents: 8,
      seed: 3,
      minutes: 12,
      rate: 250,
      bulk: true,
    });
    expect(efficacyArgs(parseFlags(['--feedback', 'single']), {}).bulk).toBe(false);
    expect(efficacyArgs({}, { EFFICACY_FEEDBACK: 'single' }).bulk).toBe(false);
    expect(() => efficacyArgs(parseFlags(['--feedback', 'some']), {})).toThrow(
      '--feedback (or EFFICACY_FEEDBACK) must be bulk or single, got some',
    );
  });

  it('leaves the learnable agents to the fleet unless given, and sends artifacts for them only unless told all', () => {
    expect(efficacyArgs({}, {})).toMatchObject({ artifacts: 'learnable' });
    expect(efficacyArgs({}, {}).learnable).toBeUndefined();
    expect(efficacyArgs(parseFlags(['--learnable', '0', '--artifacts', 'all']), {})).toMatchObject({
      learnable: 0,
      artifacts: 'all',
    });
    expect(efficacyArgs({}, { EFFICACY_LEARNABLE: '3' }).learnable).toBe(3);
    expect(() => efficacyArgs(parseFlags(['--artifacts', 'some']), {})).toThrow(
      '--artifacts (or EFFICACY_ARTIFACTS) must be learnable or all, got some',
    );
  });

  it('refuses what cannot be meant: an unknown flag, a bad number', () => {
    expect(() => efficacyArgs(parseFlags(['--agent', '8']), {})).toThrow('unknown option(s): --agent');
    expect(() => efficacyArgs(parseFlags(['--agents', 'many']), {})).toThrow(
      '--agents (or EFFICACY_AGENTS) must be an integer from 3 to 1000, got many',
    );
    expect(() => efficacyArgs(parseFlags(['--window-hours', '0.01']), {})).toThrow('--window-hours');
    expect(() => numberOption({ rate: true }, {}, { flag: 'rate', env: 'R', fallback: 1, min: 0, max: 9 })).toThrow(
      '--rate',
    );
  });
});

describe('the benchmark policy for another fleet size', () => {
  const base = {
    canary: { steps: [10, 50, 100] },
    budgets: {
      mutations_per_hour: { global: 24, per_environment: { dev: 24, prod: 24 } },
      mutations_per_day_by_type: { PROMPT_PATCH: 24, MODEL_SWAP: 2 },
    },
    concurrency: { max_concurrent_rollouts: 8 },
  };

  it('scales the limits that count mutations with the fleet, keeping at least 2', () => {
    expect(scaleFleetLimits(base, 30)).toEqual(base);
    expect(scaleFleetLimits(base, 60)).toEqual({
      canary: { steps: [10, 50, 100] },
      budgets: {
        mutations_per_hour: { global: 48, per_environment: { dev: 48, prod: 48 } },
        mutations_per_day_by_type: { PROMPT_PATCH: 48, MODEL_SWAP: 2 },
      },
      concurrency: { max_concurrent_rollouts: 16 },
    });
    expect(scaleFleetLimits(base, 4).concurrency.max_concurrent_rollouts).toBe(2);
    expect(base.budgets.mutations_per_hour.global).toBe(24);
  });
});
