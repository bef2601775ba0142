import { feedbackEventSchema, feedbackKind } from './feedback-event.schema';
import { LIMITS } from './limits';
import { systemMetricSchema } from './system-metric.schema';

/** The example body of seed 004, verbatim. */
const seedExample = {
  agent_id: 'helpful_assistant',
  session_id: 'user_123_session',
  explicit: { rating: 4.5, helpful: true },
  implicit: { response_time_ms: 250, success_rate: 0.95 },
};

function pathsOf(body: unknown): string[] {
  const result = feedbackEventSchema.safeParse(body);
  if (result.success) return [];
  return result.error.issues.map((issue) => issue.path.join('.'));
}

describe('feedbackEventSchema', () => {
  it('accepts the seed 004 example verbatim', () => {
    expect(feedbackEventSchema.parse(seedExample)).toEqual(seedExample);
    expect(feedbackKind(seedExample)).toBe('explicit');
  });

  it('accepts the whole contract and normalises timestamps', () => {
    const event = feedbackEventSchema.parse({
      ...seedExample,
      event_id: 'evt-1',
      inference_id: 'inf-1',
      revision_id: 'rev_abc',
      subject_id: 'user_123',
      timestamp: 1_764_000_000_000,
      explicit: {
        rating: 2,
        complaint: 'too verbose',
        correction: 'shorter',
        comment: 'meh',
        selection: { hypothesis_id: 'h2' },
      },
      implicit: { success: false, error_code: 'timeout', tokens_in: 10, tokens_out: 20, cost_usd: 0.001 },
      metrics: { resolved: true, csat: 0.8 },
      tags: ['verbose'],
      context: { locale: 'de', nested: { a: [1, 2, { b: null }] } },
      artifacts: { input: 'q', output: 'a' },
    });
    expect(event.timestamp).toBe('2025-11-24T16:00:00.000Z');
  });

  it('routes events without explicit feedback to the implicit subject', () => {
    expect(feedbackKind({ explicit: undefined })).toBe('implicit');
  });

  it.each([
    ['a missing agent', { session_id: 's' }, ['agent_id']],
    ['an agent id that is not a subject token', { ...seedExample, agent_id: 'a.b' }, ['agent_id']],
    ['a rating outside 1–5', { ...seedExample, explicit: { rating: 6 } }, ['explicit.rating']],
    ['a rating of the wrong type', { ...seedExample, explicit: { rating: 'good' } }, ['explicit.rating']],
    ['a success rate above 1', { ...seedExample, implicit: { success_rate: 1.5 } }, ['implicit.success_rate']],
    ['a negative latency', { ...seedExample, implicit: { response_time_ms: -1 } }, ['implicit.response_time_ms']],
    ['a misspelt field', { ...seedExample, explicit: { ratting: 4 } }, ['explicit']],
    ['an unknown top-level field', { ...seedExample, extra: 1 }, ['']],
    ['a bad timestamp', { ...seedExample, timestamp: 'yesterday' }, ['timestamp']],
    ['too many tags', { ...seedExample, tags: Array.from({ length: LIMITS.tags + 1 }, (_, i) => `t${i}`) }, ['tags']],
    [
      'a huge complaint',
      { ...seedExample, explicit: { complaint: 'x'.repeat(LIMITS.shortText + 1) } },
      ['explicit.complaint'],
    ],
    ['a non-finite metric', { ...seedExample, metrics: { m: Number.POSITIVE_INFINITY } }, ['metrics.m']],
  ])('rejects %s with the field path', (_name, body, paths) => {
    expect(pathsOf(body)).toEqual(paths);
  });

  it('bounds the nesting of free-form context', () => {
    let deep: Record<string, unknown> = { leaf: 1 };
    for (let i = 0; i < LIMITS.jsonDepth + 2; i++) deep = { deep };
    expect(pathsOf({ ...seedExample, context: deep })).toEqual([
      ['context', ...Array<string>(LIMITS.jsonDepth).fill('deep')].join('.'),
    ]);
  });
});

describe('systemMetricSchema', () => {
  it('accepts a metric with labels', () => {
    expect(
      systemMetricSchema.parse({
        source: 'gateway',
        name: 'queue_depth',
        value: 3,
        unit: 'jobs',
        labels: { region: 'eu' },
      }),
    ).toMatchObject({
      source: 'gateway',
    });
  });

  it('rejects a source that cannot be a subject token', () => {
    const result = systemMetricSchema.safeParse({ source: 'a b', name: 'x', value: 1 });
    expect(result.success).toBe(false);
  });
});

describe('OpenAPI', () => {
  it.each([
    ['feedback event', feedbackEventSchema],
    ['system metric', systemMetricSchema],
  ])('the %s schema converts to OpenAPI 3.0 for /docs', (_name, schema) => {
    const jsonSchema = schema['~standard'].jsonSchema.input({ target: 'openapi-3.0' });
    expect(jsonSchema).toMatchObject({ type: 'object', required: expect.arrayContaining([expect.any(String)]) });
  });
});
