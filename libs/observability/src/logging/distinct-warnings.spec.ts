import { DistinctWarnings } from './distinct-warnings';

describe('DistinctWarnings', () => {
  const logged: string[] = [];
  const logger = {
    warn: (m: string) => void logged.push(`warn ${m}`),
    debug: (m: string) => void logged.push(`debug ${m}`),
  };

  beforeEach(() => (logged.length = 0));

  it('warns when a problem appears or changes, not on each repeat', () => {
    const warnings = new DistinctWarnings(logger);
    for (const message of ['redis refused', 'redis refused', 'redis timed out', 'redis timed out', 'redis refused'])
      warnings.warn(message);
    expect(logged).toEqual(['warn redis refused', 'warn redis timed out', 'warn redis refused']);
  });

  it('warns of the same problem again after a reset, and says whether it had warned', () => {
    const warnings = new DistinctWarnings(logger);
    expect(warnings.reset()).toBe(false);
    warnings.warn('db away');
    expect(warnings.reset()).toBe(true);
    expect(warnings.reset()).toBe(false);
    warnings.warn('db away');
    expect(logged).toEqual(['warn db away', 'warn db away']);
  });

  it('names a problem apart from its wording, and an expected one is noted at debug without counting as a warning', () => {
    const warnings = new DistinctWarnings(logger);
    warnings.debug('waiting: no servers', 'no servers');
    warnings.warn('paused: no servers', 'no servers');
    expect(warnings.reset()).toBe(false);
    warnings.warn('paused: no servers', 'no servers');
    warnings.debug('waiting: no servers', 'no servers');
    expect(warnings.reset()).toBe(true);
    expect(logged).toEqual(['debug waiting: no servers', 'warn paused: no servers']);
  });
});
