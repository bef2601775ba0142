import { envelopeSchema, type Envelope } from '@metaloop/contracts';
import type { z } from 'zod';

/** An event of an envelope the contract refuses, to be dead-lettered on its own. */
export interface RefusedEvent {
  /** Its position in the message's envelope. */
  index: number;
  /** An envelope holding only this event, as it arrived: what a replay republishes. */
  body: Uint8Array;
  error: string;
}

/**
 * ok: the events the contract accepts (`indices` their positions in the message) and the
 * ones it refuses; a message whose every event is refused is not ok, like one that is no
 * envelope at all.
 */
export type ParseResult =
  { ok: true; envelope: Envelope; indices: number[]; refused: RefusedEvent[] } | { ok: false; error: string };

const utf8 = new TextDecoder('utf-8', { fatal: true });
const MAX_ISSUES = 5;

/**
 * A message body as a group-commit envelope. A body that fails here fails the same way on
 * every delivery, so the caller dead-letters it at once; the error names the fields. An event
 * the contract refuses (a NUL in its text, say) takes only itself along: the others of its
 * message are parsed one by one and stored.
 */
export function parseEnvelope(data: Uint8Array): ParseResult {
  let json: unknown;
  try {
    json = JSON.parse(utf8.decode(data));
  } catch (error) {
    return { ok: false, error: `not UTF-8 JSON: ${(error as Error).message}` };
  }
  const whole = envelopeSchema.safeParse(json);
  if (whole.success) {
    return { ok: true, envelope: whole.data, indices: whole.data.events.map((_, i) => i), refused: [] };
  }
  if (!whole.error.issues.every(isEventIssue)) return { ok: false, error: describe(whole.error.issues) };
  return eventByEvent(json as { events: unknown[] }, whole.error.issues);
}

function eventByEvent(frame: { events: unknown[] }, allIssues: z.core.$ZodIssue[]): ParseResult {
  const events: unknown[] = [];
  const indices: number[] = [];
  const refused: RefusedEvent[] = [];
  for (const [index, event] of frame.events.entries()) {
    const alone = { ...frame, events: [event] };
    const result = envelopeSchema.safeParse(alone);
    if (result.success) {
      events.push(result.data.events[0]);
      indices.push(index);
    } else {
      const issues = result.error.issues.map((issue) => ({
        ...issue,
        path: ['events', index, ...issue.path.slice(2)],
      }));
      refused.push({ index, body: Buffer.from(JSON.stringify(alone)), error: describe(issues) });
    }
  }
  if (events.length === 0) return { ok: false, error: describe(allIssues) };
  return { ok: true, envelope: { ...frame, events } as Envelope, indices, refused };
}

/** An issue inside one event (`events.<i>…`), not in the envelope around them. */
function isEventIssue(issue: z.core.$ZodIssue): boolean {
  return issue.path[0] === 'events' && typeof issue.path[1] === 'number';
}

function describe(all: z.core.$ZodIssue[]): string {
  const issues = all.slice(0, MAX_ISSUES).map((issue) => `${issue.path.join('.') || '(body)'}: ${issue.message}`);
  const more = all.length - issues.length;
  return `not an envelope: ${issues.join('; ')}${more > 0 ? `; and ${more} more` : ''}`;
}
