import type { FeedbackEvent } from '@metaloop/contracts';
import type { SuccessDefinition } from './insights.schema';

type SuccessVerdict = 'positive' | 'negative';

/** Whether one feedback event is a success, a failure, or (null) neither, by the policy's definition. */
export function successVerdict(
  event: Pick<FeedbackEvent, 'explicit' | 'implicit'>,
  definition: SuccessDefinition,
): SuccessVerdict | null {
  const { explicit, implicit } = event;
  if (definition.complaint_is_failure && (explicit?.complaint?.trim() || explicit?.correction?.trim()))
    return 'negative';
  if (explicit?.helpful !== undefined) return explicit.helpful ? 'positive' : 'negative';
  if (explicit?.rating !== undefined) return explicit.rating >= definition.rating_at_least ? 'positive' : 'negative';
  if (definition.use_implicit_success && implicit?.success !== undefined)
    return implicit.success ? 'positive' : 'negative';
  return null;
}
