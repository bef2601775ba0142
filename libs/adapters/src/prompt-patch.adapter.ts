import type { AgentConfig, PromptPatchParams } from '@metaloop/contracts';
import type { AdapterContext } from './adapter';
import { requireCandidate } from './candidates';
import type { AdapterDefinition } from './define-adapter';
import { AdapterError } from './errors';
import { unifiedDiff } from '@metaloop/core';

type Prompt = AgentConfig['prompt'];
type RulePatch = Extract<PromptPatchParams, { source: 'rule' }>;

/** A registered prompt version, or the parent's template patched by a rule; the template's line diff goes in the summary. */
export const promptPatch: AdapterDefinition<'PROMPT_PATCH'> = {
  type: 'PROMPT_PATCH',
  derive(ctx, params) {
    const before = ctx.parent.prompt;
    const prompt =
      params.source === 'candidate' ? registeredVersion(ctx, params.version) : patchedByRule(before, params);
    const diff = unifiedDiff(before.template, prompt.template);
    return {
      config: { ...ctx.parent, prompt },
      summary: {
        version: { before: before.version, after: prompt.version },
        diff: diff.text,
        lines_added: diff.added,
        lines_removed: diff.removed,
      },
    };
  },
};

function registeredVersion(ctx: AdapterContext, version: string): Prompt {
  if (version === ctx.parent.prompt.version)
    throw new AdapterError('no_change', `prompt version ${version} is already the current one`, 'params.version');
  const { template } = requireCandidate(ctx, 'prompt', version, 'params.version');
  return { version, template };
}

/** The version id derives from the parent's and the rule's (`v3:conciseness`), so the same patch gives the same revision. */
function patchedByRule(before: Prompt, patch: RulePatch): Prompt {
  const instruction = patch.instruction.trim();
  if (before.template.includes(instruction)) {
    throw new AdapterError(
      'no_change',
      `the template already carries the ${patch.rule} instruction`,
      'params.instruction',
    );
  }
  const template =
    patch.position === 'append'
      ? `${before.template.trimEnd()}\n\n${instruction}`
      : `${instruction}\n\n${before.template.trimStart()}`;
  return { version: `${before.version}:${patch.rule}`, template };
}
