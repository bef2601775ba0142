import { auditQuerySchema } from './control.schema';
import { pathId, pathUuid } from './params.schema';

describe('path and query parameters', () => {
  it.each([
    ['agent_1', true],
    ['rev_0123456789abcdef01234567', true],
    ['', false],
    ['a\u0000b', false],
    ['\uD800', false],
    ['a'.repeat(129), false],
  ])('pathId accepts %j: %s', (value, ok) => {
    const result = pathId('agent_id').safeParse(value);
    expect(result.success).toBe(ok);
    if (!result.success) expect(result.error.issues.map((i) => i.path)).toEqual([['agent_id']]);
  });

  it.each([
    ['0190a4c8-7b2e-7c3d-8e4f-5a6b7c8d9e0f', true],
    ['6f1c2b9e-3d4a-4b5c-8d6e-7f8091a2b3c4', true],
    ['not-a-uuid', false],
  ])('pathUuid accepts %s of any version: %s', (value, ok) => {
    expect(pathUuid('plan_id').safeParse(value).success).toBe(ok);
  });

  it.each([
    ['1', true],
    ['9223372036854775807', true],
    ['9223372036854775808', false],
    ['99999999999999999999', false],
    ['-1', false],
    ['1e3', false],
  ])('the audit cursor %s is a bigint id: %s', (cursor, ok) => {
    expect(auditQuerySchema.safeParse({ cursor }).success).toBe(ok);
  });

  it('refuses NUL in the audit filters, naming the field', () => {
    const result = auditQuerySchema.safeParse({ actor: 'api_key:\u0000' });
    expect(result.success).toBe(false);
    expect(result.error?.issues.map((i) => i.path)).toEqual([['actor']]);
  });
});
