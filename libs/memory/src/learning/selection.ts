import type { Selection, SelectionOption } from '../types';

const nonEmpty = (value: unknown): value is string => typeof value === 'string' && value.trim().length > 0;

/**
 * `explicit.selection` as seed 002 sends it: `{options: [{id, text, confidence}], selected_id}`.
 * `question` is accepted for `text` (the seed's hypotheses), `hypotheses` for `options` and
 * `hypothesis_id` for `selected_id`. Undefined when the chosen option is not among the options.
 */
export function parseSelection(raw: unknown): Selection | undefined {
  if (typeof raw !== 'object' || raw === null) return undefined;
  const selection = raw as Record<string, unknown>;
  const list = Array.isArray(selection.options) ? selection.options : selection.hypotheses;
  const selectedId = selection.selected_id ?? selection.hypothesis_id;
  if (!Array.isArray(list) || !nonEmpty(selectedId)) return undefined;
  const options: SelectionOption[] = [];
  for (const entry of list) {
    if (typeof entry !== 'object' || entry === null) continue;
    const option = entry as Record<string, unknown>;
    const text = option.text ?? option.question;
    if (!nonEmpty(option.id) || !nonEmpty(text)) continue;
    const confidence = typeof option.confidence === 'number' && Number.isFinite(option.confidence);
    options.push({
      id: option.id,
      text: text.trim(),
      ...(confidence ? { confidence: Math.min(1, Math.max(0, option.confidence as number)) } : {}),
    });
  }
  const selectedIndex = options.findIndex((o) => o.id === selectedId);
  if (selectedIndex < 0) return undefined;
  return { options, selected: options[selectedIndex]!, selectedIndex };
}
