import { bool, positionals } from '../args';
import type { Verb } from '../command';
import { render } from '../format';
import { seg } from '../http';

/** Seed 002: what metaloop keeps about one end user, and erasing it. */
export const memory: Verb = {
  name: 'memory',
  summary: 'what is kept about one end user (goals, preferences, history, persona facets); --forget erases it',
  usage: ['memory <subject_id>', 'memory <subject_id> --forget'],
  options: {
    forget: {
      type: 'boolean',
      description: "erase the subject's memory, facets, selection logs and their events' personal fields (audited)",
    },
  },
  notes: 'feedback-api GET /api/v1/subjects/{id}/memory; --forget: oracle-api DELETE /api/v1/subjects/{id}.',
  async run(ctx, args) {
    const [subject] = positionals(args, ['subject_id']);
    if (bool(args, 'forget')) {
      const answer = await ctx.oracle.delete<Record<string, unknown> | undefined>(`api/v1/subjects/${seg(subject!)}`);
      ctx.emit(answer ?? { subject_id: subject, forgotten: true }, () =>
        [`forgot subject ${subject}`, answer ? render(answer) : ''].filter(Boolean).join('\n'),
      );
      return;
    }
    const kept = await ctx.feedback.get<Record<string, unknown>>(`api/v1/subjects/${seg(subject!)}/memory`);
    ctx.emit(kept, () => render(kept));
  },
};
