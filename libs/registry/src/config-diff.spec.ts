import { diffConfigs, templateDiff } from './config-diff';

const base = {
  model: 'gpt-4o-mini',
  prompt: { version: 'v1', template: 'a' },
  params: { temperature: 0.7 },
  route: { weights: { 'backend.a': 80, b: 20 } },
  lora: ['style-v1'],
  memory: [
    { id: 'tone', text: 'be kind', weight: 0.5 },
    { id: 'lang', text: 'answer in English', weight: 0.5 },
  ],
  examples: [],
};

describe('structural diff of two configs', () => {
  it.each([
    [
      'a changed param',
      { params: { temperature: 0.2 } },
      [{ path: 'params.temperature', kind: 'changed', before: 0.7, after: 0.2 }],
    ],
    [
      'an added param',
      { params: { temperature: 0.7, top_p: 0.9 } },
      [{ path: 'params.top_p', kind: 'added', after: 0.9 }],
    ],
    ['the model', { model: 'gpt-4o' }, [{ path: 'model', kind: 'changed', before: 'gpt-4o-mini', after: 'gpt-4o' }]],
    [
      'route weights, one key with a dot',
      { route: { weights: { 'backend.a': 60, b: 40 } } },
      [
        { path: 'route.weights.b', kind: 'changed', before: 20, after: 40 },
        { path: 'route.weights["backend.a"]', kind: 'changed', before: 80, after: 60 },
      ],
    ],
    [
      'the LoRA list as a whole',
      { lora: ['style-v1', 'legal-v2'] },
      [{ path: 'lora', kind: 'changed', before: ['style-v1'], after: ['style-v1', 'legal-v2'] }],
    ],
    [
      'memory facts by id: one reweighted, one removed, one added',
      {
        memory: [
          { id: 'lang', text: 'answer in English', weight: 0.9 },
          { id: 'new', text: 'cite sources', weight: 0.5 },
        ],
      },
      [
        { path: 'memory[tone]', kind: 'removed', before: { id: 'tone', text: 'be kind', weight: 0.5 } },
        { path: 'memory[lang].weight', kind: 'changed', before: 0.5, after: 0.9 },
        { path: 'memory[new]', kind: 'added', after: { id: 'new', text: 'cite sources', weight: 0.5 } },
      ],
    ],
    ['no route any more', { route: undefined }, [{ path: 'route', kind: 'removed', before: base.route }]],
  ])('finds %s', (_case, change, expected) => {
    expect(diffConfigs(base, { ...base, ...change })).toEqual(expected);
  });

  it('finds nothing between equal configs, whatever their key order', () => {
    expect(diffConfigs(base, JSON.parse(JSON.stringify({ ...base, model: base.model })))).toEqual([]);
  });
});

describe('template diff', () => {
  it('names each line equal, removed or added', () => {
    expect(
      templateDiff(
        'You are helpful.\nAnswer in detail.\nCite sources.',
        'You are helpful.\nAnswer briefly.\nCite sources.\nBe concise.',
      ),
    ).toEqual([
      { op: 'equal', text: 'You are helpful.' },
      { op: 'removed', text: 'Answer in detail.' },
      { op: 'added', text: 'Answer briefly.' },
      { op: 'equal', text: 'Cite sources.' },
      { op: 'added', text: 'Be concise.' },
    ]);
  });
});
