import { z } from 'zod';
import { baseEnvSchema, int, natsEnv, port, postgresEnv, redisEnv } from './common-env';
import { EnvValidationError, validateEnv } from './env';

const schema = baseEnvSchema.extend({ PORT: port(8092), ...postgresEnv, ...natsEnv, ...redisEnv });
const valid = {
  DATABASE_URL: 'postgresql://postgres@127.0.0.1:5432/metaloop',
  NATS_URL: 'nats://a:4222, nats://b:4222',
  REDIS_URL: 'redis://127.0.0.1:6379',
};

function problemsOf(raw: Record<string, unknown>): string[] {
  try {
    validateEnv(schema, raw);
  } catch (error) {
    if (error instanceof EnvValidationError) return error.problems;
    throw error;
  }
  throw new Error('expected the environment to be rejected');
}

describe('validateEnv', () => {
  it('applies defaults and parses lists, numbers and booleans', () => {
    const env = validateEnv(schema, { ...valid, MIGRATE_ON_START: 'false', PORT: '9000' });
    expect(env).toMatchObject({
      PORT: 9000,
      HOST: '0.0.0.0',
      NODE_ENV: 'development',
      NATS_URL: ['nats://a:4222', 'nats://b:4222'],
      MIGRATE_ON_START: false,
      REDIS_PREFIX: 'metaloop',
      NATS_PREFIX: '',
    });
  });

  it.each([
    ['PORT', { PORT: 'abc' }],
    ['PORT', { PORT: '70000' }],
    ['DATABASE_URL', { DATABASE_URL: 'mysql://x' }],
    ['REDIS_URL', { REDIS_URL: 'http://x' }],
    ['MIGRATE_ON_START', { MIGRATE_ON_START: 'maybe' }],
    ['LOG_LEVEL', { LOG_LEVEL: 'loud' }],
    ['NATS_PREFIX', { NATS_PREFIX: 'a.b' }],
  ])('names %s when it is wrong', (name, override) => {
    const problems = problemsOf({ ...valid, ...override });
    expect(problems).toHaveLength(1);
    expect(problems[0]).toMatch(new RegExp(`^${name}: `));
  });

  it('names every missing variable at once', () => {
    const problems = problemsOf({});
    expect(problems.map((p) => p.split(':')[0])).toEqual(['DATABASE_URL', 'NATS_URL', 'REDIS_URL']);
    expect(problems.every((p) => p.endsWith('(not set)'))).toBe(true);
  });

  it('does not echo secrets it rejects', () => {
    const [problem] = problemsOf({ ...valid, DATABASE_URL: 'mysql://user:hunter2@db/x' });
    expect(problem).not.toContain('hunter2');
  });

  it('takes whole numbers within their bounds, the fallback when unset', () => {
    const bounded = z.object({ BATCH: int(1, 500, 20) });
    expect(validateEnv(bounded, {})).toEqual({ BATCH: 20 });
    expect(validateEnv(bounded, { BATCH: '500' })).toEqual({ BATCH: 500 });
    for (const wrong of ['0', '501', '2.5', 'many'])
      expect(() => validateEnv(bounded, { BATCH: wrong })).toThrow(/- BATCH: /);
  });

  it('works with any zod schema', () => {
    expect(() => validateEnv(z.object({ X: z.string() }), {})).toThrow(/X: .*not set/);
  });
});
