import { agentConfigSchema, createAgentSchema } from './agent-config.schema';
import { freezeRequestSchema, rollbackRequestSchema } from './control.schema';
import { storedFeedbackEventSchema } from './envelope.schema';
import { feedbackEventSchema } from './feedback-event.schema';
import { metricDefinitionSchema } from './metric-definition.schema';
import { paramSetParamsSchema, promptPatchParamsSchema } from './plan.schema';
import { deployRequestSchema } from './registry.schema';
import { isStorableText, storableString } from './storable-text';
import { systemMetricSchema } from './system-metric.schema';
import type { z } from 'zod';

const NUL = 'a\u0000b';
const HIGH_ALONE = 'x\uD800';
const LOW_ALONE = '\uDC00x';

const event = { agent_id: 'alpha', session_id: 's1' };
const metric = { source: 'gateway', name: 'queue_depth', value: 1 };

/** The paths of the issues that name unstorable text. */
function unstorablePaths(schema: z.ZodType, body: unknown): string[] {
  const result = schema.safeParse(body);
  if (result.success) return [];
  return (
    result.error.issues
      // A record key's issue is an invalid_key carrying the refinement's issue inside.
      .filter((issue) => JSON.stringify(issue).includes('NUL characters or unpaired surrogates'))
      .map((issue) => issue.path.join('.'))
  );
}

describe('storable text', () => {
  it.each([
    ['plain', true],
    ['', true],
    ['emoji 😀 as a surrogate pair', true],
    [NUL, false],
    [HIGH_ALONE, false],
    [LOW_ALONE, false],
    ['\uDC00\uD800', false],
  ])('%j storable: %s', (text, storable) => {
    expect(isStorableText(text)).toBe(storable);
    expect(storableString().safeParse(text).success).toBe(storable);
  });

  it.each([
    ['explicit.comment', { explicit: { comment: NUL } }],
    ['explicit.complaint', { explicit: { complaint: HIGH_ALONE } }],
    ['explicit.correction', { explicit: { correction: LOW_ALONE } }],
    ['implicit.error_code', { implicit: { error_code: NUL } }],
    ['session_id', { session_id: NUL }],
    ['event_id', { event_id: NUL }],
    ['inference_id', { inference_id: HIGH_ALONE }],
    ['revision_id', { revision_id: NUL }],
    ['subject_id', { subject_id: NUL }],
    ['tags.1', { tags: ['ok', NUL] }],
    ['artifacts.output', { artifacts: { output: NUL } }],
    ['context.k', { context: { k: `v${NUL}` } }],
    ['context.deep.list.2.x', { context: { deep: { list: [1, 'two', { x: LOW_ALONE }] } } }],
    [`context.${NUL}`, { context: { [NUL]: 'v' } }],
    [`context.outer.${HIGH_ALONE}`, { context: { outer: { [HIGH_ALONE]: 1 } } }],
    ['explicit.selection.h', { explicit: { selection: { h: NUL } } }],
  ])('a feedback event with unstorable text in %s is refused naming the path', (path, fields) => {
    expect(unstorablePaths(feedbackEventSchema, { ...event, ...fields })).toEqual([path]);
  });

  it('the envelope refuses unstorable text in the events feedback-api stored', () => {
    const stored = { ...event, event_id: 'e1', received_at: '2026-11-25T10:00:00.000Z', kind: 'implicit' };
    expect(storedFeedbackEventSchema.safeParse(stored).success).toBe(true);
    expect(unstorablePaths(storedFeedbackEventSchema, { ...stored, context: { k: NUL } })).toEqual(['context.k']);
  });

  it.each([
    ['unit', { unit: NUL }],
    ['labels.region', { labels: { region: HIGH_ALONE } }],
    [`labels.${NUL}`, { labels: { [NUL]: 'eu' } }],
  ])('a system metric with unstorable text in %s is refused naming the path', (path, fields) => {
    expect(unstorablePaths(systemMetricSchema, { ...metric, ...fields })).toEqual([path]);
  });

  it('the other bodies refuse it too: names, templates, reasons, keys', () => {
    expect(unstorablePaths(paramSetParamsSchema, { set: { [NUL]: 1, ok: LOW_ALONE } })).toEqual([
      `set.${NUL}`,
      'set.ok',
    ]);
    expect(unstorablePaths(promptPatchParamsSchema, { source: 'rule', rule: 'concise', instruction: NUL })).toEqual([
      'instruction',
    ]);
    expect(unstorablePaths(freezeRequestSchema, { frozen: true, reason: LOW_ALONE })).toEqual(['reason']);
    expect(unstorablePaths(rollbackRequestSchema, { rollback_key: NUL })).toEqual(['rollback_key']);
    const config = { model: 'gpt', prompt: { version: 'v1', template: `Hi${NUL}` } };
    expect(unstorablePaths(agentConfigSchema, config)).toEqual(['prompt.template']);
    const agent = {
      agent_id: 'alpha',
      environment: 'dev',
      config: { ...config, prompt: { version: 'v1', template: 'Hi' } },
    };
    expect(unstorablePaths(createAgentSchema, { ...agent, name: HIGH_ALONE })).toEqual(['name']);
    expect(
      unstorablePaths(deployRequestSchema, {
        config: { model: 'gpt', prompt: { version: 'v1', template: 'Hi' } },
        reason: NUL,
      }),
    ).toEqual(['reason']);
    expect(
      unstorablePaths(metricDefinitionSchema, {
        name: 'csat',
        type: 'float',
        level: 'inference',
        optimize: 'max',
        description: NUL,
      }),
    ).toEqual(['description']);
  });
});
