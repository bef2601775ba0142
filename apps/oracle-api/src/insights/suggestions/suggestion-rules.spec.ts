import {
  isNegative,
  normalise,
  preferencePair,
  preferencePairs,
  ruleForSignals,
  ruleForTag,
  ruleSuggestions,
  SuggestionTally,
  worstAreas,
  type FeedbackFacts,
} from './suggestion-rules';

let seq = 0;
function facts(overrides: Partial<FeedbackFacts> = {}): FeedbackFacts {
  seq += 1;
  return {
    eventId: `e${seq}`,
    rating: null,
    helpful: null,
    complaint: null,
    correction: null,
    tags: [],
    framework: null,
    ...overrides,
  };
}

function tallyOf(events: FeedbackFacts[]): SuggestionTally {
  const tally = new SuggestionTally();
  for (const e of events) tally.add(e);
  return tally;
}

const times = (n: number, make: () => FeedbackFacts) => Array.from({ length: n }, make);

describe('isNegative', () => {
  it.each([
    [{ rating: 1 }, true],
    [{ rating: 2 }, true],
    [{ rating: 3 }, false],
    [{ rating: 5 }, false],
    [{ helpful: false }, true],
    [{ helpful: true }, false],
    [{ rating: 5, complaint: 'too long' }, true],
    [{ complaint: '   ' }, false],
    [{ rating: 4, correction: 'use pnpm instead of npm' }, true],
  ] as Array<[Partial<FeedbackFacts>, boolean]>)('%j → %s', (overrides, expected) => {
    expect(isNegative(facts(overrides))).toBe(expected);
  });
});

describe('normalise', () => {
  it.each([
    ['Too verbose!', 'too_verbose'],
    ['no-code', 'no_code'],
    ['  Wrong   Version ', 'wrong_version'],
    ['Réponse trop longue', 'réponse_trop_longue'],
  ])('%s → %s', (input, expected) => expect(normalise(input)).toBe(expected));
});

describe('which rule an area calls for', () => {
  it.each([
    ['verbose', 'conciseness'],
    ['too_long', 'conciseness'],
    ['missing_code', 'code_examples'],
    ['outdated', 'framework_version'],
    ['hallucination', 'accuracy'],
    ['unclear', 'structure'],
    ['rude', 'tone'],
    ['technical', undefined],
  ])('the tag %s → %s', (tag, rule) => expect(ruleForTag(tag)?.rule).toBe(rule));

  it('reads complaint phrases word by word, the most frequent rule wins, below minCount none', () => {
    const signals = new Map([
      ['way_too_verbose_for_me', 2],
      ['uses_a_deprecated_api', 3],
      ['technical', 5],
    ]);
    expect(ruleForSignals(signals, 2)?.rule).toBe('framework_version');
    expect(ruleForSignals(new Map([['too_verbose', 1]]), 2)).toBeUndefined();
    // "wrong version" says both accuracy and framework_version: a tie goes to the catalogue's order.
    expect(ruleForSignals(new Map([['wrong_version_of_react', 2]]), 2)?.rule).toBe('framework_version');
  });
});

describe('corrections → "prefer X over Y"', () => {
  it.each([
    ['Use pnpm instead of npm.', { prefer: 'pnpm', over: 'npm' }],
    ['you should use async/await rather than callbacks', { prefer: 'async/await', over: 'callbacks' }],
    ['prefer fetch over axios', { prefer: 'fetch', over: 'axios' }],
    ['Vitest instead of Jest', { prefer: 'Vitest', over: 'Jest' }],
    ["don't use var, use const", { prefer: 'const', over: 'var' }],
    ['not moment, date-fns', { prefer: 'date-fns', over: 'moment' }],
    ['The answer should mention the timeout', undefined],
  ])('%s → %j', (text, pair) => expect(preferencePair(text)).toEqual(pair));

  it('counts the same pair case-insensitively, most frequent first', () => {
    expect(
      preferencePairs(['use pnpm instead of npm', 'prefer fetch over axios', 'Use PNPM instead of NPM', 'no idea']),
    ).toEqual([
      { prefer: 'pnpm', over: 'npm', count: 2 },
      { prefer: 'fetch', over: 'axios', count: 1 },
    ]);
  });
});

describe('ruleSuggestions', () => {
  const options = { minNegatives: 3, limit: 5 };

  it('names the worst area first and gives it the rule its tag calls for, with counts and rates', () => {
    const tally = tallyOf([
      ...times(8, () => facts({ rating: 1, tags: ['verbose', 'technical'], complaint: 'too long' })),
      ...times(2, () => facts({ rating: 5, tags: ['verbose'] })),
      ...times(3, () => facts({ rating: 2, tags: ['formatting'] })),
      ...times(7, () => facts({ rating: 5, tags: ['formatting'] })),
      ...times(10, () => facts({ helpful: true, tags: ['technical'] })),
    ]);
    const [first, ...rest] = ruleSuggestions('agent_a', tally, options);
    expect(first).toMatchObject({
      agent_id: 'agent_a',
      area: 'verbose',
      area_kind: 'tag',
      rule: 'conciseness',
      problem: { events: 10, negatives: 8, negative_rate: 0.8, complaints: 8, corrections: 0, mean_rating: 1.8 },
      prompt_patch: expect.stringContaining('Answer concisely'),
    });
    expect(first!.problem.agent_negative_rate).toBeCloseTo(11 / 30, 3);
    expect(first!.suggestion).toContain('8 of 10 judged events negative (80 %');
    expect(first!.evidence['negative_event_ids']).toHaveLength(5);
    // "technical" fails through the same verbosity: the same patch is not suggested twice.
    expect(rest.map((s) => s.prompt_patch)).not.toContain(first!.prompt_patch);
    expect(rest.map((s) => s.area)).toEqual(['formatting']);
  });

  it('scopes a framework area to the framework, and names it in the version rule', () => {
    const tally = tallyOf([
      ...times(5, () => facts({ rating: 1, framework: 'react', complaint: 'uses a deprecated lifecycle method' })),
      ...times(5, () => facts({ rating: 1, framework: 'django', complaint: 'far too verbose' })),
      ...times(5, () => facts({ rating: 5, framework: 'django' })),
    ]);
    const drafts = ruleSuggestions('a', tally, options);
    expect(drafts.map((d) => [d.area, d.rule, d.prompt_patch])).toEqual([
      [
        'react',
        'framework_version',
        'Target the current stable version of react: say which version you assume, use its current APIs and never deprecated ones.',
      ],
      [
        'django',
        'conciseness',
        'When the task uses django: Answer concisely: lead with the answer, use at most three short paragraphs, and leave out filler and repetition.',
      ],
    ]);
    expect(drafts[0]!.evidence['matched_keywords']).toEqual({ uses_a_deprecated_lifecycle_method: 5 });
  });

  it('turns corrections into "prefer X over Y", measured against all judged events', () => {
    const tally = tallyOf([
      ...times(4, () => facts({ rating: 3, correction: 'Use pnpm instead of npm' })),
      facts({ rating: 3, correction: 'prefer fetch over axios' }),
      ...times(5, () => facts({ rating: 5 })),
    ]);
    const [draft] = ruleSuggestions('a', tally, options);
    expect(draft).toMatchObject({
      area: 'corrections',
      area_kind: 'corrections',
      rule: 'corrections',
      problem: { events: 10, negatives: 5, negative_rate: 0.5, corrections: 5 },
      prompt_patch: 'Prefer pnpm over npm.\nPrefer fetch over axios.',
    });
  });

  it('quotes corrections it cannot read as a pair', () => {
    const tally = tallyOf(times(3, () => facts({ correction: 'The timeout is 30 seconds, not 10' })));
    const [draft] = ruleSuggestions('a', tally, options);
    expect(draft!.prompt_patch).toBe(
      'Users have corrected earlier answers; take these corrections into account:\n- The timeout is 30 seconds, not 10',
    );
  });

  it('gives an area no rule knows a generic patch quoting its complaints', () => {
    const tally = tallyOf(
      times(4, () => facts({ helpful: false, tags: ['billing'], complaint: 'quoted last year prices' })),
    );
    const [draft] = ruleSuggestions('a', tally, options);
    expect(draft).toMatchObject({ area: 'billing', rule: 'weak_tag' });
    expect(draft!.prompt_patch).toBe(
      'Take extra care with questions about billing: check the answer against the question before replying and avoid what users complained about: quoted last year prices.',
    );
  });

  it('suggests nothing below minNegatives, and at most limit', () => {
    expect(ruleSuggestions('a', tallyOf(times(2, () => facts({ rating: 1, tags: ['verbose'] }))), options)).toEqual([]);
    const many = tallyOf(
      ['verbose', 'missing_code', 'outdated', 'wrong', 'unclear', 'rude', 'incomplete'].flatMap((tag) =>
        times(3, () => facts({ rating: 1, tags: [tag] })),
      ),
    );
    expect(ruleSuggestions('a', many, { minNegatives: 3, limit: 4 })).toHaveLength(4);
  });

  it('ranks by how surely an area fails: 30 of 40 beats 3 of 3', () => {
    const tally = tallyOf([
      ...times(3, () => facts({ rating: 1, tags: ['rude'] })),
      ...times(30, () => facts({ rating: 1, tags: ['verbose'] })),
      ...times(10, () => facts({ rating: 5, tags: ['verbose'] })),
    ]);
    expect(worstAreas(tally, 3).map((a) => a.tally.area)).toEqual(['verbose', 'rude']);
  });
});
