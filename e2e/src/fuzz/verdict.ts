import type { Outcome } from './send';

/**
 * Why an outcome is a defect, or undefined when it is fine. Any answer below 500 is fine but a
 * 4xx must be RFC 7807 problem+json with `type`, `title` and a `status` equal to the response's.
 * A 5xx, no answer in time, or a connection closed without an answer are defects.
 */
export function defectOf(outcome: Outcome): string | undefined {
  if ('hang' in outcome) return 'no answer in time (hang)';
  if ('dropped' in outcome) return `connection closed without an answer: ${outcome.dropped}`;
  const { status, contentType, body } = outcome.response;
  if (status >= 500) return `${status}: ${body.toString('utf8').slice(0, 300)}`;
  if (status < 400) return undefined;
  if (!/^application\/problem\+json\b/i.test(contentType ?? '')) {
    return `${status} with content-type ${contentType ?? '(none)'}, not application/problem+json: ${body.toString('utf8').slice(0, 200)}`;
  }
  let problem: unknown;
  try {
    problem = JSON.parse(body.toString('utf8'));
  } catch {
    return `${status} problem+json that is not JSON: ${body.toString('utf8').slice(0, 200)}`;
  }
  const { type, title, status: bodyStatus } = (problem ?? {}) as Record<string, unknown>;
  const missing = [
    typeof type === 'string' ? undefined : 'type',
    typeof title === 'string' ? undefined : 'title',
    bodyStatus === status ? undefined : `status (${JSON.stringify(bodyStatus)})`,
  ].filter(Boolean);
  if (missing.length > 0)
    return `${status} problem without ${missing.join(', ')}: ${body.toString('utf8').slice(0, 200)}`;
  return undefined;
}

/** The status of an outcome for the histogram: the code, or `hang` / `dropped`. */
export function statusOf(outcome: Outcome): string {
  if ('hang' in outcome) return 'hang';
  if ('dropped' in outcome) return 'dropped';
  return String(outcome.response.status);
}
