import type { MemoryPolicy } from '@metaloop/policies';
import type { LearnedItem, Selection } from '../types';

const LEARNED_TAGS = ['learned', 'selection_derived'];

/** Phrases after which the intent itself follows ("Do you want to build a REST API?"). */
const INTENT_LEADS = ['want to', 'need to', 'would like to', "'d like to", 'trying to', 'going to', 'plan to'];
/** Verbs that are the intent ("Add JWT auth to your API?"). */
const INTENT_VERBS = [
  'build',
  'create',
  'implement',
  'deploy',
  'set up',
  'setup',
  'add',
  'design',
  'containerize',
  'migrate',
  'integrate',
  'configure',
  'write',
  'refactor',
  'automate',
];
const MAX_GOAL_WORDS = 12;
const MAX_PREFERENCE_WORDS = 4;

const escape = (text: string) => text.replace(/[.*+?^${}()|[\]\\']/g, '\\$&');
const INTENT = new RegExp(
  `(?:\\b(?:${INTENT_LEADS.map(escape).join('|')})\\s+)|(?:\\b(${INTENT_VERBS.map(escape).join('|')})\\b)`,
  'i',
);
/** Cues of a preference (seed 002: "prefer", "like", "using", "with", "framework"). */
const PREFERENCE_CUE = /\b(prefer(?:s|red)?|like(?!\s+to\b)|using|use|with|via|in)\s+([^?.!;:]+)/gi;
/** Cues whose object is a preference even in lower case ("prefer tabs"); the others need a named thing ("with Docker"). */
const STRONG_CUES = new Set(['prefer', 'prefers', 'preferred', 'like', 'using', 'use']);
const PHRASE_END = /\s+(?:to|for|that|which|so|when|where|because|before|after|instead)\b.*$/i;
const STOP_WORDS = new Set([
  'a',
  'an',
  'the',
  'your',
  'my',
  'our',
  'their',
  'to',
  'for',
  'with',
  'and',
  'or',
  'of',
  'in',
  'on',
  'do',
  'you',
  'we',
  'i',
  'it',
  'this',
  'that',
]);

/** Lower-case content words: what two phrasings of the same goal share. */
export function phraseTokens(text: string): string[] {
  return (text.toLowerCase().match(/[a-z0-9][a-z0-9+#-]*/g) ?? []).filter((t) => !STOP_WORDS.has(t));
}

export function phraseKey(text: string): string {
  return phraseTokens(text).join(' ');
}

const words = (text: string) => text.split(/\s+/).filter(Boolean);
const clean = (text: string) => text.replace(/\s+/g, ' ').trim();

/** The intent of an option's text ("Do you want to build a REST API?" → "build a REST API"), if it states one. */
export function extractGoal(text: string): string | undefined {
  const match = INTENT.exec(text);
  if (!match) return undefined;
  const start = match[1] === undefined ? match.index + match[0].length : match.index;
  const sentence = text.slice(start).split(/[?.!;]/)[0] ?? '';
  const goal = words(clean(sentence)).slice(0, MAX_GOAL_WORDS).join(' ');
  if (phraseTokens(goal).length < 2) return undefined;
  return goal.charAt(0).toLowerCase() + goal.slice(1);
}

/** The technologies and styles an option's text names after a cue ("…with FastAPI and Docker" → FastAPI, Docker). */
export function extractPreferences(text: string): string[] {
  const found = new Map<string, string>();
  for (const match of text.matchAll(PREFERENCE_CUE)) {
    const cue = match[1]!.toLowerCase();
    const object = match[2]!.replace(PHRASE_END, '');
    for (const part of object.split(/\s*(?:,|&|\b(?:and|or|with|using|via)\b)\s*/i)) {
      const phrase = words(clean(part))
        .filter((w, i) => i > 0 || !STOP_WORDS.has(w.toLowerCase()))
        .slice(0, MAX_PREFERENCE_WORDS)
        .join(' ');
      const named = /[A-Z0-9]/.test(phrase);
      if (!phrase || (!named && !STRONG_CUES.has(cue))) continue;
      const key = phraseKey(phrase);
      if (key && !found.has(key)) found.set(key, phrase);
    }
  }
  return [...found.values()];
}

/**
 * What the chosen option teaches (seed 002): a GOAL with the option's confidence and PREFERENCEs
 * with a slightly lower one, tagged `learned` and `selection_derived`.
 */
export function learnFromSelection(selection: Selection, policy: MemoryPolicy): LearnedItem[] {
  const { text } = selection.selected;
  const confidence = round(selection.selected.confidence ?? policy.default_confidence);
  const learned: LearnedItem[] = [];
  const goal = extractGoal(text);
  if (goal) learned.push({ kind: 'GOAL', text: goal, key: phraseKey(goal), confidence, tags: [...LEARNED_TAGS] });
  for (const preference of extractPreferences(text))
    learned.push({
      kind: 'PREFERENCE',
      text: `Prefers: ${preference}`,
      key: phraseKey(preference),
      confidence: round(confidence * policy.preference_confidence_factor),
      tags: [...LEARNED_TAGS],
    });
  return learned;
}

export function round(value: number): number {
  return Math.round(value * 10_000) / 10_000;
}
