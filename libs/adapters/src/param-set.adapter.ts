import { paramKeyVerdict, paramsSchema, type AdapterConstraints } from '@metaloop/contracts';
import type { AdapterDefinition } from './define-adapter';
import { AdapterError } from './errors';
import type { Change, Scalar } from './summaries';

/** Set or unset generation params: only those the policy allows, within its bounds and the schema's limits. */
export const paramSet: AdapterDefinition<'PARAM_SET'> = {
  type: 'PARAM_SET',
  derive(ctx, { set, unset }) {
    const before = ctx.parent.params;
    const policy = ctx.constraints.params;
    for (const [name, value] of Object.entries(set)) checkAllowed(policy, name, value, `params.set.${name}`);
    unset.forEach((name, index) => {
      const path = `params.unset.${index}`;
      checkAllowed(policy, name, undefined, path);
      if (name in set) throw new AdapterError('invalid_params', `${name} is both set and unset`, path);
      if (!(name in before)) throw new AdapterError('unknown_id', `${name} is not set, so it cannot be unset`, path);
    });

    const params: Record<string, Scalar> = { ...before, ...set };
    for (const name of unset) delete params[name];
    const checked = paramsSchema.safeParse(params);
    if (!checked.success) {
      const issue = checked.error.issues[0]!;
      const path = ['params.set', ...issue.path.slice(0, 1).map(String)].join('.');
      throw new AdapterError('invalid_params', `${path}: ${issue.message}`, path);
    }

    const changes: Record<string, Change<Scalar | null>> = {};
    for (const name of [...Object.keys(set), ...unset]) {
      const [was, is] = [before[name] ?? null, params[name] ?? null];
      if (was !== is) changes[name] = { before: was, after: is };
    }
    return { config: { ...ctx.parent, params: checked.data }, summary: { changes } };
  },
};

function checkAllowed(
  policy: AdapterConstraints['params'],
  name: string,
  value: Scalar | undefined,
  path: string,
): void {
  const verdict = paramKeyVerdict(policy, name);
  if (verdict === 'forbidden')
    throw new AdapterError('constraint_violation', `param ${name} is forbidden by policy`, path);
  if (verdict === 'not_allowed') {
    throw new AdapterError(
      'constraint_violation',
      `param ${name} is not in the policy's allow list (${policy.allow.join(', ')})`,
      path,
    );
  }
  const bounds = policy.bounds[name];
  if (!bounds || value === undefined) return;
  if (typeof value !== 'number')
    throw new AdapterError('constraint_violation', `param ${name} is bounded, so it must be a number`, path);
  if ((bounds.min !== undefined && value < bounds.min) || (bounds.max !== undefined && value > bounds.max)) {
    throw new AdapterError(
      'constraint_violation',
      `param ${name} = ${value} is outside the policy's bounds [${bounds.min ?? '-∞'}, ${bounds.max ?? '∞'}]`,
      path,
    );
  }
}
