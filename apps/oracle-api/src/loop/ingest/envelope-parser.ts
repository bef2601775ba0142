import { envelopeSchema, type Envelope } from '@metaloop/contracts';

export type ParseResult = { ok: true; envelope: Envelope } | { ok: false; error: string };

const utf8 = new TextDecoder('utf-8', { fatal: true });
const MAX_ISSUES = 5;

/**
 * A message body as a group-commit envelope. A body that fails here fails the same way on
 * every delivery, so the caller dead-letters it at once; the error names the fields.
 */
export function parseEnvelope(data: Uint8Array): ParseResult {
  let json: unknown;
  try {
    json = JSON.parse(utf8.decode(data));
  } catch (error) {
    return { ok: false, error: `not UTF-8 JSON: ${(error as Error).message}` };
  }
  const result = envelopeSchema.safeParse(json);
  if (result.success) return { ok: true, envelope: result.data };
  const issues = result.error.issues
    .slice(0, MAX_ISSUES)
    .map((issue) => `${issue.path.join('.') || '(body)'}: ${issue.message}`);
  const more = result.error.issues.length - issues.length;
  return { ok: false, error: `not an envelope: ${issues.join('; ')}${more > 0 ? `; and ${more} more` : ''}` };
}
