/*
 * Seed 003's suggestion engine without a model: the recent feedback of one agent is tallied by
 * area (each tag, each `context.framework`, and its corrections), the areas are ranked by how
 * surely they fail, and each of the worst gets a concrete prompt change from a fixed catalogue
 * of rules (too verbose → answer concisely, missing code → include an example, outdated
 * framework → name and target the current version, corrections → "prefer X over Y"). Pure.
 */

/** What an area is: a tag, a `context.framework` value, or the agent's corrections. */
export type SuggestionAreaKind = 'tag' | 'framework' | 'corrections';

/** One judged feedback event, as the service reads it. */
export interface FeedbackFacts {
  eventId: string;
  rating: number | null;
  helpful: boolean | null;
  complaint: string | null;
  correction: string | null;
  tags: readonly string[];
  framework: string | null;
}

const SAMPLES = 5;
const SAMPLE_CHARS = 200;

export interface AreaTally {
  kind: SuggestionAreaKind;
  area: string;
  events: number;
  negatives: number;
  complaints: number;
  corrections: number;
  ratingSum: number;
  ratingCount: number;
  /** Normalised tags and complaint phrases of the area's negative events, with their counts. */
  signals: Map<string, number>;
  complaintSamples: string[];
  correctionSamples: string[];
  /** All corrections' texts are kept for the "prefer X over Y" pairs, bounded. */
  correctionTexts: string[];
  negativeEventIds: string[];
}

/** Rating ≤ 2, a thumbs down, a complaint or a correction. */
export function isNegative(facts: FeedbackFacts): boolean {
  return (
    (facts.rating !== null && facts.rating <= 2) ||
    facts.helpful === false ||
    Boolean(facts.complaint?.trim()) ||
    Boolean(facts.correction?.trim())
  );
}

/** Lower case, runs of anything but letters and digits as one `_`: "Too verbose!" → "too_verbose". */
export function normalise(text: string): string {
  return text
    .toLowerCase()
    .replace(/[^\p{L}\p{N}]+/gu, '_')
    .replace(/^_+|_+$/g, '');
}

const MAX_CORRECTION_TEXTS = 500;

/** Folds one agent's events into per-area tallies; memory grows with the areas, not the events. */
export class SuggestionTally {
  readonly areas = new Map<string, AreaTally>();
  judged = 0;
  negatives = 0;

  add(facts: FeedbackFacts): void {
    const negative = isNegative(facts);
    this.judged += 1;
    if (negative) this.negatives += 1;
    const signals = negative ? signalsOf(facts) : [];
    for (const tag of new Set(facts.tags.map(normalise).filter(Boolean)))
      this.addTo('tag', tag, facts, negative, signals);
    if (facts.framework?.trim()) this.addTo('framework', facts.framework.trim(), facts, negative, signals);
    if (facts.correction?.trim()) this.addTo('corrections', 'corrections', facts, negative, signals);
  }

  private addTo(
    kind: SuggestionAreaKind,
    area: string,
    facts: FeedbackFacts,
    negative: boolean,
    signals: readonly string[],
  ): void {
    const key = `${kind}:${area}`;
    let t = this.areas.get(key);
    if (!t) {
      t = {
        kind,
        area,
        events: 0,
        negatives: 0,
        complaints: 0,
        corrections: 0,
        ratingSum: 0,
        ratingCount: 0,
        signals: new Map(),
        complaintSamples: [],
        correctionSamples: [],
        correctionTexts: [],
        negativeEventIds: [],
      };
      this.areas.set(key, t);
    }
    t.events += 1;
    if (facts.rating !== null) {
      t.ratingSum += facts.rating;
      t.ratingCount += 1;
    }
    const complaint = facts.complaint?.trim();
    const correction = facts.correction?.trim();
    if (complaint) {
      t.complaints += 1;
      pushSample(t.complaintSamples, complaint);
    }
    if (correction) {
      t.corrections += 1;
      pushSample(t.correctionSamples, correction);
      if (t.correctionTexts.length < MAX_CORRECTION_TEXTS) t.correctionTexts.push(correction.slice(0, 500));
    }
    if (!negative) return;
    t.negatives += 1;
    if (t.negativeEventIds.length < SAMPLES) t.negativeEventIds.push(facts.eventId);
    for (const signal of signals) t.signals.set(signal, (t.signals.get(signal) ?? 0) + 1);
  }
}

function pushSample(samples: string[], text: string): void {
  if (samples.length < SAMPLES && !samples.includes(text)) samples.push(text.slice(0, SAMPLE_CHARS));
}

/** A negative event's tags and its complaint, normalised (`_too_verbose_` matches the keyword `verbose`). */
function signalsOf(facts: FeedbackFacts): string[] {
  const signals = facts.tags.map(normalise).filter(Boolean);
  const complaint = facts.complaint ? normalise(facts.complaint) : '';
  if (complaint) signals.push(complaint);
  return [...new Set(signals)];
}

export interface Rule {
  rule: string;
  /** Normalised tags or complaint words that call for it. */
  keywords: readonly string[];
  /** Why, for a person. */
  problem: string;
  instruction: (framework: string | undefined) => string;
}

/** The catalogue: seed 003's kinds and the planner's rule patches, keyed by complaint vocabulary. */
export const RULES: readonly Rule[] = [
  {
    rule: 'conciseness',
    keywords: ['verbose', 'too_long', 'long', 'wordy', 'rambling', 'lengthy'],
    problem: 'answers are too long',
    instruction: () =>
      'Answer concisely: lead with the answer, use at most three short paragraphs, and leave out filler and repetition.',
  },
  {
    rule: 'code_examples',
    keywords: ['no_code', 'missing_code', 'needs_code', 'code_example', 'missing_example', 'no_example', 'example'],
    problem: 'answers lack code examples',
    instruction: (framework) =>
      `Include a short, complete, runnable code example${framework ? ` in ${framework}` : ''} for every technical answer, with the imports it needs.`,
  },
  {
    rule: 'framework_version',
    keywords: ['outdated', 'wrong_version', 'old_version', 'deprecated', 'version', 'legacy'],
    problem: 'answers use outdated or wrong versions',
    instruction: (framework) =>
      framework
        ? `Target the current stable version of ${framework}: say which version you assume, use its current APIs and never deprecated ones.`
        : 'Say which library and framework versions you assume, use their current stable APIs and never deprecated ones.',
  },
  {
    rule: 'accuracy',
    keywords: ['wrong', 'incorrect', 'hallucination', 'inaccurate', 'made_up', 'false'],
    problem: 'answers are wrong',
    instruction: () =>
      'Only state facts you are sure of. When you are unsure, say so and ask a clarifying question instead of guessing.',
  },
  {
    rule: 'completeness',
    keywords: ['incomplete', 'too_short', 'unhelpful', 'vague', 'shallow', 'missing_steps'],
    problem: 'answers are incomplete',
    instruction: () =>
      'Answer every part of the question, with the concrete steps or details the user needs to act on it.',
  },
  {
    rule: 'structure',
    keywords: ['confusing', 'unclear', 'unstructured', 'hard_to_follow', 'messy', 'disorganized'],
    problem: 'answers are hard to follow',
    instruction: () =>
      'Structure the answer: a one-line summary first, then numbered steps, each with one action and its expected result.',
  },
  {
    rule: 'tone',
    keywords: ['rude', 'tone', 'unfriendly', 'dismissive', 'condescending'],
    problem: 'the tone puts users off',
    instruction: () => "Be warm and polite: acknowledge the user's concern before answering.",
  },
];

/** Whether a normalised signal (a tag or a whole complaint) says the keyword. */
function says(signal: string, keyword: string): boolean {
  return signal === keyword || `_${signal}_`.includes(`_${keyword}_`);
}

/** The rule a tag names by itself, if any ("verbose" → conciseness). */
export function ruleForTag(tag: string): Rule | undefined {
  return RULES.find((r) => r.keywords.some((k) => says(tag, k)));
}

/** The rule the area's negative signals call for most (at least `minCount` times), if any. */
export function ruleForSignals(signals: ReadonlyMap<string, number>, minCount: number): Rule | undefined {
  let best: { rule: Rule; count: number } | undefined;
  for (const rule of RULES) {
    let count = 0;
    for (const [signal, n] of signals) if (rule.keywords.some((k) => says(signal, k))) count += n;
    if (count >= minCount && (!best || count > best.count)) best = { rule, count };
  }
  return best?.rule;
}

export interface PreferencePair {
  prefer: string;
  over: string;
  count: number;
}

const PAIR_PATTERNS: ReadonlyArray<{ re: RegExp; prefer: 1 | 2 }> = [
  {
    re: /^(?:you should |should |please )?(?:use|prefer|try)\s+(.+?)\s+(?:instead of|rather than|over|not)\s+(.+)$/i,
    prefer: 1,
  },
  { re: /^(.+?)\s+(?:instead of|rather than)\s+(.+)$/i, prefer: 1 },
  { re: /^(?:don't|do not|never)\s+use\s+(.+?)[,;]?\s+(?:use|but|prefer)\s+(.+)$/i, prefer: 2 },
  { re: /^(?:not|no)\s+(.+?)[,;]\s*(?:but\s+|use\s+)?(.+)$/i, prefer: 2 },
];

/** "use X instead of Y", "X rather than Y", "prefer X over Y", "don't use Y, use X", "not Y, X" → (X, Y). */
export function preferencePair(correction: string): { prefer: string; over: string } | undefined {
  const text = correction
    .trim()
    .replace(/[.!]+$/, '')
    .trim();
  for (const { re, prefer } of PAIR_PATTERNS) {
    const match = re.exec(text);
    if (!match) continue;
    const a = clean(match[1]!);
    const b = clean(match[2]!);
    if (!a || !b || a.length > 80 || b.length > 80) continue;
    return prefer === 1 ? { prefer: a, over: b } : { prefer: b, over: a };
  }
  return undefined;
}

function clean(text: string): string {
  return text
    .trim()
    .replace(/^["'`]|["'`]$/g, '')
    .trim();
}

/** The pairs the corrections name, most often first (ties in first-seen order). */
export function preferencePairs(corrections: readonly string[]): PreferencePair[] {
  const pairs = new Map<string, PreferencePair>();
  for (const text of corrections) {
    const pair = preferencePair(text);
    if (!pair) continue;
    const key = `${pair.prefer.toLowerCase()}\u0000${pair.over.toLowerCase()}`;
    const seen = pairs.get(key);
    if (seen) seen.count += 1;
    else pairs.set(key, { ...pair, count: 1 });
  }
  return [...pairs.values()].sort((a, b) => b.count - a.count);
}

export interface SuggestionProblem {
  events: number;
  negatives: number;
  negative_rate: number;
  complaints: number;
  corrections: number;
  mean_rating: number | null;
  agent_negative_rate: number;
}

/** A suggestion before it is stored: what the rules (or the model) propose for one area. */
export interface SuggestionDraft {
  agent_id: string;
  area: string;
  area_kind: SuggestionAreaKind;
  rule: string;
  problem: SuggestionProblem;
  suggestion: string;
  prompt_patch: string;
  evidence: Record<string, unknown>;
  /** How surely the area fails: the lower 95 % Wilson bound of its negative rate. Ranks areas. */
  score: number;
}

export interface RuleOptions {
  /** An area needs at least this many negative events to be suggested for. */
  minNegatives: number;
  limit: number;
}

/** The lower bound of the 95 % Wilson score interval of k in n: small areas do not outrank large ones by luck. */
export function wilsonLower(k: number, n: number): number {
  if (n <= 0) return 0;
  const z = 1.959964;
  const p = k / n;
  const z2n = (z * z) / n;
  const centre = (p + z2n / 2) / (1 + z2n);
  const half = (z * Math.sqrt((p * (1 - p)) / n + z2n / (4 * n))) / (1 + z2n);
  return Math.max(0, centre - half);
}

const round = (x: number) => Math.round(x * 10_000) / 10_000;
const pct = (x: number) => `${Math.round(x * 100)} %`;

/**
 * Events and negatives of an area. Every corrected event is negative, so the corrections area is
 * measured against all the agent's judged events: its rate is how often users correct it.
 */
function areaCounts(t: AreaTally, tally: SuggestionTally): { events: number; negatives: number } {
  return t.kind === 'corrections'
    ? { events: tally.judged, negatives: t.corrections }
    : { events: t.events, negatives: t.negatives };
}

/** The area's figures, for the suggestion and for the model. */
export function problemOf(t: AreaTally, tally: SuggestionTally): SuggestionProblem {
  const { events, negatives } = areaCounts(t, tally);
  return {
    events,
    negatives,
    negative_rate: round(negatives / events),
    complaints: t.complaints,
    corrections: t.corrections,
    mean_rating: t.ratingCount > 0 ? round(t.ratingSum / t.ratingCount) : null,
    agent_negative_rate: tally.judged > 0 ? round(tally.negatives / tally.judged) : 0,
  };
}

/** On equal figures a tag goes first: its patch applies to every task, a framework's to some. */
const KIND_ORDER: Record<SuggestionAreaKind, number> = { tag: 0, framework: 1, corrections: 2 };

/** The areas worth a suggestion, worst first: enough negatives, ranked by the Wilson lower bound of their negative rate. */
export function worstAreas(tally: SuggestionTally, minNegatives: number): Array<{ tally: AreaTally; score: number }> {
  return [...tally.areas.values()]
    .map((t) => ({ t, counts: areaCounts(t, tally) }))
    .filter(({ counts }) => counts.negatives >= minNegatives)
    .map(({ t, counts }) => ({
      tally: t,
      score: round(wilsonLower(counts.negatives, counts.events)),
    }))
    .sort(
      (a, b) =>
        b.score - a.score ||
        b.tally.negatives - a.tally.negatives ||
        KIND_ORDER[a.tally.kind] - KIND_ORDER[b.tally.kind] ||
        a.tally.area.localeCompare(b.tally.area),
    );
}

/**
 * The rules' suggestions for one agent's tally: the worst areas first, at most `limit`, and each
 * catalogue rule once (its worst area's: a second area failing the same way adds nothing).
 */
export function ruleSuggestions(agentId: string, tally: SuggestionTally, options: RuleOptions): SuggestionDraft[] {
  const drafts: SuggestionDraft[] = [];
  const seen = new Set<string>();
  for (const { tally: t, score } of worstAreas(tally, options.minNegatives)) {
    const draft = suggestionFor(agentId, t, tally, score);
    const key = RULES.some((r) => r.rule === draft.rule) ? `rule:${draft.rule}` : `patch:${draft.prompt_patch}`;
    if (seen.has(key)) continue;
    seen.add(key);
    drafts.push(draft);
    if (drafts.length >= options.limit) break;
  }
  return drafts;
}

function suggestionFor(agentId: string, t: AreaTally, tally: SuggestionTally, score: number): SuggestionDraft {
  const problem = problemOf(t, tally);
  const figures = `${problem.negatives} of ${problem.events} judged events negative (${pct(problem.negative_rate)}, the agent's ${pct(problem.agent_negative_rate)})`;
  const base = {
    agent_id: agentId,
    area: t.area,
    area_kind: t.kind,
    problem,
    score,
    evidence: evidenceOf(t),
  };
  if (t.kind === 'corrections') {
    const pairs = preferencePairs(t.correctionTexts).slice(0, 3);
    if (pairs.length > 0)
      return {
        ...base,
        rule: 'corrections',
        suggestion: `Users corrected ${t.corrections} answers, most often to ${pairs.map((p) => `"${p.prefer}" over "${p.over}"`).join(', ')}: ${figures}. Tell the agent what they keep correcting.`,
        prompt_patch: pairs.map((p) => `Prefer ${p.prefer} over ${p.over}.`).join('\n'),
        evidence: { ...base.evidence, preference_pairs: pairs },
      };
    const quoted = t.correctionSamples.slice(0, 3);
    return {
      ...base,
      rule: 'corrections',
      suggestion: `Users corrected ${t.corrections} answers (${figures}); add what they corrected to the prompt.`,
      prompt_patch: `Users have corrected earlier answers; take these corrections into account:\n${quoted.map((c) => `- ${c}`).join('\n')}`,
    };
  }
  const framework = t.kind === 'framework' ? t.area : undefined;
  const rule = (t.kind === 'tag' ? ruleForTag(t.area) : undefined) ?? ruleForSignals(t.signals, 2);
  const where = t.kind === 'tag' ? `tagged "${t.area}"` : `using ${t.area}`;
  if (rule) {
    const instruction = rule.instruction(framework);
    return {
      ...base,
      rule: rule.rule,
      evidence: { ...base.evidence, matched_keywords: matched(t.signals, rule) },
      suggestion: `Answers ${where}: ${rule.problem} — ${figures}. Add: "${instruction}"`,
      prompt_patch:
        framework && rule.rule !== 'framework_version' && rule.rule !== 'code_examples'
          ? `When the task uses ${framework}: ${instruction}`
          : instruction,
    };
  }
  const complaints = t.complaintSamples.slice(0, 3);
  const scope = t.kind === 'tag' ? `questions about ${t.area}` : `tasks that use ${t.area}`;
  return {
    ...base,
    rule: t.kind === 'tag' ? 'weak_tag' : 'weak_framework',
    suggestion: `Answers ${where} fail most: ${figures}${complaints.length > 0 ? `; users said ${complaints.map((c) => `"${c}"`).join(', ')}` : ''}. Give the agent explicit guidance for them.`,
    prompt_patch:
      `Take extra care with ${scope}: check the answer against the question before replying` +
      (complaints.length > 0 ? ` and avoid what users complained about: ${complaints.join('; ')}.` : '.'),
  };
}

function matched(signals: ReadonlyMap<string, number>, rule: Rule): Record<string, number> {
  const out: Record<string, number> = {};
  for (const [signal, n] of signals) if (rule.keywords.some((k) => says(signal, k))) out[signal] = n;
  return out;
}

function evidenceOf(t: AreaTally): Record<string, unknown> {
  const topSignals = [...t.signals.entries()]
    .sort((a, b) => b[1] - a[1] || a[0].localeCompare(b[0]))
    .slice(0, 10)
    .map(([signal, count]) => ({ signal, count }));
  return {
    negative_event_ids: t.negativeEventIds,
    complaints: t.complaintSamples,
    corrections: t.correctionSamples,
    top_signals: topSignals,
  };
}
