import { context, PARENT } from './__tests__/fixtures';
import { createAdapters } from './adapters';

const adapter = createAdapters().PROMPT_PATCH;
const conciseness = { source: 'rule', rule: 'conciseness', instruction: 'Keep answers under three sentences.' };

describe('PROMPT_PATCH', () => {
  it('switches to a registered prompt version and records the line diff', () => {
    const { config, summary } = adapter.prepare(context(), { source: 'candidate', version: 'v4' });
    expect(config.prompt).toEqual({
      version: 'v4',
      template: 'You are a support agent.\nAnswer briefly.\nCite the docs.',
    });
    expect(summary).toEqual({
      version: { before: 'v3', after: 'v4' },
      diff: '@@ -1,3 +1,3 @@\n You are a support agent.\n-Answer politely.\n+Answer briefly.\n Cite the docs.',
      lines_added: 1,
      lines_removed: 1,
    });
  });

  it.each([
    ['append', `${PARENT.prompt.template}\n\nKeep answers under three sentences.`],
    ['prepend', `Keep answers under three sentences.\n\n${PARENT.prompt.template}`],
  ])(
    'patches the template by a rule (%s) under a version derived from the parent and the rule',
    (position, template) => {
      const first = adapter.prepare(context(), { ...conciseness, position });
      expect(first.config.prompt).toEqual({ version: 'v3:conciseness', template });
      expect(first.summary.lines_added).toBe(2);
      expect(adapter.prepare(context(), { ...conciseness, position }).config).toEqual(first.config);
    },
  );

  it.each([
    ['an unregistered version', { source: 'candidate', version: 'v9' }, 'unknown_candidate', 'params.version'],
    ['the current version', { source: 'candidate', version: 'v3' }, 'no_change', 'params.version'],
    [
      'an instruction the template already has',
      { ...conciseness, instruction: 'Answer politely.' },
      'no_change',
      'params.instruction',
    ],
    ['a rule without an instruction', { source: 'rule', rule: 'conciseness' }, 'invalid_params', 'params.instruction'],
    ['an unknown source', { source: 'llm', version: 'v4' }, 'invalid_params', 'params.source'],
    ['a rule id that is not a ref', { ...conciseness, rule: 'be concise' }, 'invalid_params', 'params.rule'],
  ])('rejects %s', (_name, params, code, path) => {
    expect(() => adapter.prepare(context(), params)).toThrow(expect.objectContaining({ code, path }));
  });

  it('names the registered versions when the one asked for is unknown', () => {
    expect(() => adapter.prepare(context(), { source: 'candidate', version: 'v9' })).toThrow(
      'prompt "v9" is not a registered candidate of agent support_bot (registered: v4)',
    );
  });

  it('rejects a derived version id that grows too long', () => {
    const ctx = context({ parent: { ...PARENT, prompt: { ...PARENT.prompt, version: 'v'.repeat(120) } } });
    expect(() => adapter.prepare(ctx, conciseness)).toThrow(
      expect.objectContaining({ code: 'invalid_config', path: 'config.prompt.version' }),
    );
  });
});
