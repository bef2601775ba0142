import { bearerToken } from './api-key.guard';
import { missingScopes, SCOPES, scopeListSchema, scopeListStringSchema } from './scopes';

describe('scopes', () => {
  it('are the seven of the architecture', () => {
    expect(SCOPES).toEqual([
      'feedback:write',
      'config:read',
      'oracle:read',
      'oracle:write',
      'oracle:execute',
      'oracle:rollback',
      'admin',
    ]);
  });

  it('validates a scope list, dropping duplicates and naming what is wrong', () => {
    expect(scopeListSchema.parse(['oracle:read', 'oracle:read', 'admin'])).toEqual(['oracle:read', 'admin']);
    expect(scopeListStringSchema.parse(' feedback:write, config:read ,')).toEqual(['feedback:write', 'config:read']);
    expect(scopeListSchema.safeParse([]).error?.issues[0]?.message).toBe('at least one scope is needed');
    expect(scopeListStringSchema.safeParse('oracle:read,Admin').error?.issues[0]?.message).toMatch(
      /^"Admin" is not a scope; expected one of /,
    );
  });

  it('lets admin imply every scope and requires all the others', () => {
    expect(missingScopes(['admin'], ['oracle:rollback', 'feedback:write'])).toEqual([]);
    expect(missingScopes(['oracle:read'], ['oracle:read', 'oracle:write'])).toEqual(['oracle:write']);
    expect(missingScopes(['oracle:write'], ['oracle:read'])).toEqual(['oracle:read']);
    expect(missingScopes(['feedback:write'], [])).toEqual([]);
  });
});

describe('bearerToken', () => {
  it.each([
    ['Bearer mlk_abc', 'mlk_abc'],
    ['bearer  mlk_abc ', 'mlk_abc'],
    ['Bearer', undefined],
    ['Basic dXNlcjpwdw==', undefined],
    [undefined, undefined],
    [['Bearer a', 'Bearer b'], undefined],
  ])('%j → %j', (header, token) => {
    expect(bearerToken(header as string | string[] | undefined)).toBe(token);
  });
});
