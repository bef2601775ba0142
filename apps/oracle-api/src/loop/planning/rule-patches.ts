/**
 * Rule-based prompt patches: an instruction appended to the template when complaints point at
 * a known failure. Keyed by rule id; `tags` are the complaint tags that call for the rule.
 */
export const RULE_PATCHES = [
  {
    rule: 'conciseness',
    tags: ['verbose', 'too_long', 'long', 'wordy', 'rambling'],
    instruction:
      'Answer concisely: lead with the answer, use at most three short paragraphs, and leave out filler and repetition.',
  },
  {
    rule: 'accuracy',
    tags: ['wrong', 'incorrect', 'hallucination', 'inaccurate', 'made_up'],
    instruction:
      'Only state facts you are sure of. When you are unsure, say so and ask a clarifying question instead of guessing.',
  },
  {
    rule: 'tone',
    tags: ['rude', 'tone', 'unfriendly', 'dismissive'],
    instruction: "Be warm and polite: acknowledge the user's concern before answering.",
  },
  {
    rule: 'completeness',
    tags: ['incomplete', 'too_short', 'unhelpful', 'vague'],
    instruction: 'Answer every part of the question, with the concrete steps or details the user needs to act on it.',
  },
] as const;

export type RulePatch = (typeof RULE_PATCHES)[number];

/** The rule whose tags the complaints carry most often, if any carries at least `minCount`. */
export function ruleForComplaintTags(
  tagCounts: Readonly<Record<string, number>>,
  minCount: number,
): RulePatch | undefined {
  let best: { patch: RulePatch; count: number } | undefined;
  for (const patch of RULE_PATCHES) {
    const count = patch.tags.reduce((sum, tag) => sum + (tagCounts[tag] ?? 0), 0);
    if (count >= minCount && (!best || count > best.count)) best = { patch, count };
  }
  return best?.patch;
}
