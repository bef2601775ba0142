import { metricDefinitionSchema } from './metric-definition.schema';

const pathsOf = (result: { success: boolean; error?: { issues: Array<{ path: PropertyKey[] }> } }) =>
  result.success ? [] : result.error!.issues.map((issue) => issue.path.join('.'));

describe('metricDefinitionSchema', () => {
  it('accepts a TensorZero-style definition', () => {
    const body = { name: 'task_success', type: 'boolean', level: 'episode', optimize: 'max', description: 'solved' };
    expect(metricDefinitionSchema.parse(body)).toEqual(body);
  });

  it.each([
    ['a name with spaces', { name: 'a b' }, ['name']],
    ['an unknown type', { type: 'int' }, ['type']],
    ['an unknown level', { level: 'session' }, ['level']],
    ['an unknown direction', { optimize: 'up' }, ['optimize']],
    ['an unknown field', { unit: 'ms' }, ['']],
  ])('rejects %s with the field path', (_case, override, paths) => {
    const body = { name: 'latency', type: 'float', level: 'inference', optimize: 'min', ...override };
    expect(pathsOf(metricDefinitionSchema.safeParse(body))).toEqual(paths);
  });
});
