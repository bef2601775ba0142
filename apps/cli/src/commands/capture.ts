import { randomUUID } from 'node:crypto';
import { bool, list, num, requireStr, str } from '../args';
import type { Verb } from '../command';
import { UsageError } from '../errors';
import { fields } from '../format';

/** Body field → the flag that sets it, so a 400's field path names the flag. */
const FLAGS = {
  agent_id: '--agent',
  session_id: '--session',
  subject_id: '--subject',
  event_id: '--event-id',
  'explicit.rating': '--rating',
  'explicit.helpful': '--thumbs-up/--thumbs-down',
  'explicit.comment': '--notes',
  tags: '--tags',
  context: '--context',
  'context.framework': '--framework',
  'context.model': '--model',
  'artifacts.input': '--prompt',
  'artifacts.output': '--output',
};

interface Accepted {
  event_id: string;
  status: string;
  duplicate: boolean;
}

/** Seed 003's `--capture`: one prompt, its output and the person's verdict as a feedback event. */
export const capture: Verb = {
  name: 'capture',
  summary: 'send feedback on one prompt/output (rating, thumbs, tags, framework, model, notes)',
  usage: [
    'capture --prompt <text> --output <text> (--rating <1-5> | --thumbs-up | --thumbs-down) [--tags a,b]',
    '  [--framework <name>] [--model <name>] [--notes <text>] [--agent <id>] [--session <id>] [--subject <id>]',
  ],
  options: {
    prompt: { type: 'string', value: '<text>', description: 'the prompt (artifacts.input)' },
    output: { type: 'string', value: '<text>', description: 'the generated output (artifacts.output)' },
    rating: { type: 'string', value: '<1-5>', description: 'the rating, 1 to 5 (explicit.rating)' },
    'thumbs-up': { type: 'boolean', description: 'the person liked it (explicit.helpful: true)' },
    'thumbs-down': { type: 'boolean', description: 'the person did not (explicit.helpful: false)' },
    tags: { type: 'string', multiple: true, value: '<a,b>', description: 'comma-separated tags (repeatable)' },
    framework: { type: 'string', value: '<name>', description: 'framework used (context.framework)' },
    model: { type: 'string', value: '<name>', description: 'model used (context.model)' },
    notes: { type: 'string', value: '<text>', description: "the person's notes (explicit.comment)" },
    context: { type: 'string', multiple: true, value: '<key=value>', description: 'more context (repeatable)' },
    agent: { type: 'string', value: '<id>', description: 'agent id (env METALOOP_AGENT, default "default")' },
    session: { type: 'string', value: '<id>', description: 'session id (default: a new cli-<uuid>)' },
    subject: { type: 'string', value: '<id>', description: 'the end user (subject_id: their memory learns from it)' },
    'event-id': {
      type: 'string',
      value: '<id>',
      description: 'your own event id: a retry is then never counted twice',
    },
  },
  notes: 'Posts to feedback-api POST /api/v1/feedback/collect; answers once JetStream stored the event.',
  async run(ctx, args) {
    const prompt = requireStr(args, 'prompt');
    const output = requireStr(args, 'output');
    const rating = num(args, 'rating', { min: 1, max: 5 });
    const up = bool(args, 'thumbs-up');
    const down = bool(args, 'thumbs-down');
    if (up && down) throw new UsageError('give --thumbs-up or --thumbs-down, not both', args.verb);
    if (rating === undefined && !up && !down) {
      throw new UsageError('give --rating <1-5>, --thumbs-up or --thumbs-down', args.verb);
    }
    const context: Record<string, string> = {};
    for (const pair of list(args, 'context') ?? []) {
      const at = pair.indexOf('=');
      if (at <= 0) throw new UsageError(`--context: expected key=value, got "${pair}"`, args.verb);
      context[pair.slice(0, at)] = pair.slice(at + 1);
    }
    const framework = str(args, 'framework');
    const model = str(args, 'model');
    if (framework) context['framework'] = framework;
    if (model) context['model'] = model;
    const notes = str(args, 'notes');
    const tags = list(args, 'tags');
    const body = {
      ...(str(args, 'event-id') ? { event_id: str(args, 'event-id') } : {}),
      agent_id: str(args, 'agent') ?? (ctx.env['METALOOP_AGENT'] || 'default'),
      session_id: str(args, 'session') ?? `cli-${randomUUID()}`,
      ...(str(args, 'subject') ? { subject_id: str(args, 'subject') } : {}),
      explicit: {
        ...(rating !== undefined ? { rating } : {}),
        ...(up || down ? { helpful: up } : {}),
        ...(notes ? { comment: notes } : {}),
      },
      ...(tags ? { tags } : {}),
      ...(Object.keys(context).length > 0 ? { context } : {}),
      artifacts: { input: prompt, output },
    };
    const accepted = await ctx.feedback.post<Accepted>('api/v1/feedback/collect', body, { flags: FLAGS });
    ctx.emit({ ...accepted, agent_id: body.agent_id, session_id: body.session_id }, () =>
      [
        accepted.duplicate ? 'already captured (same event id): not counted twice' : 'feedback captured',
        fields([
          ['event_id', accepted.event_id],
          ['agent', body.agent_id],
          ['session', body.session_id],
          ['rating', rating],
          ['thumbs', up ? 'up' : down ? 'down' : undefined],
        ]),
      ].join('\n'),
    );
  },
};
