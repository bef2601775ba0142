import { validateEnv } from '@metaloop/config';
import { z } from 'zod';
import { policiesEnv, policyStoreOptionsFromEnv } from './policies.env';

const schema = z.object(policiesEnv);
const fromEnv = (env: z.output<typeof schema>) => policyStoreOptionsFromEnv((name) => env[name]);

describe('policiesEnv', () => {
  it('leaves every override unset by default', () => {
    expect(fromEnv(validateEnv(schema, {}))).toEqual({
      path: undefined,
      pollIntervalMs: 5_000,
      overrides: {
        ORACLE_CONFIDENCE_THRESHOLD: undefined,
        ORACLE_MAX_MUTATIONS_PER_HOUR: undefined,
        ORACLE_AUTO_ROLLBACK: undefined,
        REQUIRE_APPROVAL_FOR_HIGH_RISK: undefined,
        CANARY_DEPLOYMENT_PERCENT: undefined,
      },
    });
  });

  it('parses seed 004’s variables into overrides, an empty one counting as unset', () => {
    const env = validateEnv(schema, {
      POLICIES_PATH: '/etc/metaloop/policies.yaml',
      POLICIES_POLL_INTERVAL_MS: '1000',
      ORACLE_CONFIDENCE_THRESHOLD: '0.8',
      ORACLE_MAX_MUTATIONS_PER_HOUR: '',
      ORACLE_AUTO_ROLLBACK: 'false',
      REQUIRE_APPROVAL_FOR_HIGH_RISK: 'yes',
      CANARY_DEPLOYMENT_PERCENT: '10',
    });
    expect(fromEnv(env)).toEqual({
      path: '/etc/metaloop/policies.yaml',
      pollIntervalMs: 1000,
      overrides: {
        ORACLE_CONFIDENCE_THRESHOLD: 0.8,
        ORACLE_MAX_MUTATIONS_PER_HOUR: undefined,
        ORACLE_AUTO_ROLLBACK: false,
        REQUIRE_APPROVAL_FOR_HIGH_RISK: true,
        CANARY_DEPLOYMENT_PERCENT: 10,
      },
    });
  });

  it.each([
    ['ORACLE_CONFIDENCE_THRESHOLD', '1.5'],
    ['ORACLE_MAX_MUTATIONS_PER_HOUR', '2.5'],
    ['ORACLE_AUTO_ROLLBACK', 'maybe'],
    ['REQUIRE_APPROVAL_FOR_HIGH_RISK', 'on'],
    ['CANARY_DEPLOYMENT_PERCENT', '0'],
    ['CANARY_DEPLOYMENT_PERCENT', '60'],
    ['POLICIES_POLL_INTERVAL_MS', '10'],
  ])('names %s=%s as wrong', (name, value) => {
    expect(() => validateEnv(schema, { [name]: value })).toThrow(new RegExp(`${name}: `));
  });
});
