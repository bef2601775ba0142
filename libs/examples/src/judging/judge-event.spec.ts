import { learningSchema } from '@metaloop/policies';
import { exampleContentHash, judgeEvent, type JudgedEvent } from './judge-event';

const policy = learningSchema.parse({});
const artifacts = { input: 'how do I reset my password?', output: 'Settings → Security → Reset.' };
const event = (extra: Partial<JudgedEvent>): JudgedEvent => ({ session_id: 's1', ...extra });

describe('judgeEvent', () => {
  it.each([
    ['a 5 rating with artifacts', { explicit: { rating: 5 }, artifacts }, 1],
    ['helpful and successful', { explicit: { helpful: true }, implicit: { success: true }, artifacts }, 1],
    ['a 4 rating (0.75 ≥ 0.7)', { explicit: { rating: 4 }, artifacts }, 0.75],
  ])('%s becomes an example', (_, extra, quality) => {
    const { example, demotion } = judgeEvent(event(extra), policy);
    expect(example).toEqual({
      source: 'feedback',
      ...artifacts,
      quality: expect.closeTo(quality, 10),
      contentHash: exampleContentHash(artifacts.input, artifacts.output),
    });
    expect(demotion).toBeNull();
  });

  it.each([
    ['a 3 rating (0.5 < 0.7)', { explicit: { rating: 3 }, artifacts }],
    ['no quality signal', { implicit: { response_time_ms: 40 }, artifacts }],
    ['no output', { explicit: { rating: 5 }, artifacts: { input: 'q' } }],
    ['no input', { explicit: { rating: 5 }, artifacts: { output: 'a' } }],
    ['no artifacts', { explicit: { rating: 5 } }],
  ])('%s does not', (_, extra) => {
    expect(judgeEvent(event(extra), policy)).toEqual({ example: null, demotion: null });
  });

  it('follows the policy threshold', () => {
    const lenient = learningSchema.parse({ examples: { min_quality: 0.5 } });
    expect(judgeEvent(event({ explicit: { rating: 3 }, artifacts }), lenient).example?.quality).toBe(0.5);
  });

  it('counts registered boolean metrics in their direction', () => {
    const metrics = new Map([['escalated', { type: 'boolean' as const, optimize: 'min' as const }]]);
    expect(judgeEvent(event({ metrics: { escalated: false }, artifacts }), policy, metrics).example).not.toBeNull();
    expect(judgeEvent(event({ metrics: { escalated: true }, artifacts }), policy, metrics).example).toBeNull();
  });

  it('a complaint demotes the session’s (and inference’s) earlier examples and is no example itself', () => {
    expect(
      judgeEvent(event({ inference_id: 'i1', explicit: { rating: 5, complaint: 'wrong' }, artifacts }), policy),
    ).toEqual({ example: null, demotion: { sessionId: 's1', inferenceId: 'i1', reason: 'complaint' } });
    expect(judgeEvent(event({ explicit: { complaint: 'rude' } }), policy).demotion).toEqual({
      sessionId: 's1',
      inferenceId: null,
      reason: 'complaint',
    });
  });

  it('a correction becomes an example with the corrected output, and demotes', () => {
    const judged = judgeEvent(event({ explicit: { correction: 'Use the reset link.' }, artifacts }), policy);
    expect(judged.example).toEqual({
      source: 'correction',
      input: artifacts.input,
      output: 'Use the reset link.',
      quality: 1,
      contentHash: exampleContentHash(artifacts.input, 'Use the reset link.'),
    });
    expect(judged.demotion).toEqual({ sessionId: 's1', inferenceId: null, reason: 'correction' });
  });

  it('a correction without an input only demotes', () => {
    expect(judgeEvent(event({ explicit: { correction: 'x' } }), policy)).toEqual({
      example: null,
      demotion: { sessionId: 's1', inferenceId: null, reason: 'correction' },
    });
  });

  it('hashes content canonically: the same pair, the same hash; another output, another', () => {
    expect(exampleContentHash('q', 'a')).toBe(exampleContentHash('q', 'a'));
    expect(exampleContentHash('q', 'a')).not.toBe(exampleContentHash('q', 'b'));
    expect(exampleContentHash('q', 'a')).toMatch(/^[0-9a-f]{64}$/);
  });
});
