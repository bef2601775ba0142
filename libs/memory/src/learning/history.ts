import type { Selection } from '../types';

/** What one interaction shows of itself: the request, the chosen option or the answer, the explicit feedback. */
export interface InteractionText {
  userInput?: string;
  output?: string;
  selection?: Selection;
  rating?: number;
  helpful?: boolean;
  complaint?: string;
}

const oneLine = (text: string) => text.replace(/\s+/g, ' ').trim();

/**
 * A HISTORY item's text (seed 002: "User requested: build api... | Selected: Do you want to build a
 * REST API?"), cut to maxChars. An interaction with neither input nor selection is told by its feedback.
 */
export function historyText(interaction: InteractionText, maxChars: number): string {
  const parts: string[] = [];
  if (interaction.userInput) parts.push(`User requested: ${oneLine(interaction.userInput)}`);
  if (interaction.selection) parts.push(`Selected: ${oneLine(interaction.selection.selected.text)}`);
  else if (interaction.output) parts.push(`Answered: ${oneLine(interaction.output)}`);
  const feedback: string[] = [];
  if (interaction.rating !== undefined) feedback.push(`rated ${interaction.rating}/5`);
  if (interaction.helpful !== undefined) feedback.push(interaction.helpful ? 'helpful' : 'not helpful');
  if (interaction.complaint) feedback.push(`complaint: ${oneLine(interaction.complaint)}`);
  if (feedback.length > 0) parts.push(`Feedback: ${feedback.join(', ')}`);
  const text = parts.length > 0 ? parts.join(' | ') : 'Interaction';
  return text.length <= maxChars ? text : `${text.slice(0, maxChars - 1).trimEnd()}…`;
}

/** Seed 002's tags of a HISTORY item: `interaction`, `text`, and the chosen option's id. */
export function historyTags(selection: Selection | undefined): string[] {
  return selection ? ['interaction', 'text', selection.selected.id] : ['interaction', 'text'];
}
