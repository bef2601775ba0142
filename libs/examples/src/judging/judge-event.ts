import type { FeedbackEvent } from '@metaloop/contracts';
import { contentHash } from '@metaloop/core';
import { qualityScore, type LearningPolicy, type QualityMetric } from '@metaloop/policies';

type ExampleSource = 'feedback' | 'correction';

/** An example as a feedback event makes it, before it is embedded and stored. */
interface ExampleDraft {
  source: ExampleSource;
  input: string;
  output: string;
  quality: number;
  contentHash: string;
}

/** Earlier examples to demote: of this session, and of this inference when the event names one. */
interface Demotion {
  sessionId: string;
  inferenceId: string | null;
  reason: 'complaint' | 'correction';
}

export interface Judgement {
  example: ExampleDraft | null;
  demotion: Demotion | null;
}

export type JudgedEvent = Pick<
  FeedbackEvent,
  'session_id' | 'inference_id' | 'explicit' | 'implicit' | 'metrics' | 'artifacts'
>;

/** A correction is a person's own answer (seed 000's demonstrations): the best quality there is. */
const CORRECTION_QUALITY = 1;

/**
 * What one feedback event does to the agent's examples:
 * - with `artifacts.input` and `.output`, quality ≥ the policy's min_quality and no complaint
 *   or correction, it becomes an example (source feedback);
 * - a correction with `artifacts.input` becomes an example of that input with the corrected
 *   output (source correction);
 * - a complaint or a correction demotes the earlier examples of its session (and inference).
 */
export function judgeEvent(
  event: JudgedEvent,
  policy: LearningPolicy,
  metrics?: ReadonlyMap<string, QualityMetric>,
): Judgement {
  const input = event.artifacts?.input;
  const correction = event.explicit?.correction;
  const complaint = event.explicit?.complaint;
  const demotion: Demotion | null =
    complaint || correction
      ? {
          sessionId: event.session_id,
          inferenceId: event.inference_id ?? null,
          reason: complaint ? 'complaint' : 'correction',
        }
      : null;
  if (correction && input) return { example: draft('correction', input, correction, CORRECTION_QUALITY), demotion };
  const output = event.artifacts?.output;
  if (demotion || !input || !output) return { example: null, demotion };
  const quality = qualityScore(event, policy.quality, metrics);
  if (quality === null || quality < policy.examples.min_quality) return { example: null, demotion };
  return { example: draft('feedback', input, output, quality), demotion };
}

/** One example per content and agent: sha256 of the canonical {input, output}. */
export function exampleContentHash(input: string, output: string): string {
  return contentHash({ input, output });
}

function draft(source: ExampleSource, input: string, output: string, quality: number): ExampleDraft {
  return { source, input, output, quality, contentHash: exampleContentHash(input, output) };
}
