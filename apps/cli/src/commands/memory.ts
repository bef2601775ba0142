import { bool, positionals, str } from '../args';
import type { Verb } from '../command';
import { cell, fields, render, table } from '../format';
import { seg } from '../http';

/** Seed 002: what metaloop keeps about one end user, and erasing it. */
export const memory: Verb = {
  name: 'memory',
  summary: 'what is kept about one end user (goals, preferences, history, persona facets); --forget erases it',
  usage: ['memory <subject_id>', 'memory <subject_id> --export', 'memory <subject_id> --forget [--reason <text>]'],
  options: {
    export: {
      type: 'boolean',
      description: 'everything kept (memory, selection and persona-update logs) as JSON, from oracle-api',
    },
    reason: { type: 'string', value: '<text>', description: '--forget: why, recorded with the audit entry' },
    forget: {
      type: 'boolean',
      description: "erase the subject's memory, facets, selection logs and their events' personal fields (audited)",
    },
  },
  notes:
    'feedback-api GET /api/v1/subjects/{id}/memory; --export: oracle-api GET /api/v1/subjects/{id}; --forget: oracle-api DELETE /api/v1/subjects/{id}.',
  async run(ctx, args) {
    const [subject] = positionals(args, ['subject_id']);
    if (bool(args, 'forget')) {
      const answer = await ctx.oracle.delete<Record<string, unknown> | undefined>(`api/v1/subjects/${seg(subject!)}`, {
        query: { reason: str(args, 'reason') },
        flags: { reason: '--reason' },
      });
      ctx.emit(answer ?? { subject_id: subject }, () =>
        [`forgot subject ${subject}`, answer?.['deleted'] ? render(answer['deleted']) : ''].filter(Boolean).join('\n'),
      );
      return;
    }
    if (bool(args, 'export')) {
      const everything = await ctx.oracle.get<unknown>(`api/v1/subjects/${seg(subject!)}`);
      ctx.print(JSON.stringify(everything, null, 2));
      return;
    }
    const kept = await ctx.feedback.get<Memory>(`api/v1/subjects/${seg(subject!)}/memory`);
    ctx.emit(kept, () => renderMemory(kept));
  },
};

interface Memory {
  subject_id: string;
  items: Array<{
    kind: string;
    text: string;
    weight: number;
    confidence: number;
    tags: string[];
    agent_id: string;
    updated_at: string;
  }>;
  facets: Record<string, number>;
  updated_at: string | null;
}

function renderMemory(m: Memory): string {
  if (m.items.length === 0 && Object.keys(m.facets).length === 0) return `nothing is kept about ${m.subject_id}`;
  return [
    fields([
      ['subject', m.subject_id],
      ['updated', m.updated_at],
      [
        'facets',
        Object.entries(m.facets)
          .map(([name, value]) => `${name} ${cell(value)}`)
          .join(', '),
      ],
    ]),
    '',
    table(
      m.items,
      [
        { title: 'KIND', value: (i) => i.kind },
        { title: 'TEXT', value: (i) => i.text },
        { title: 'WEIGHT', value: (i) => i.weight },
        { title: 'CONF', value: (i) => i.confidence },
        { title: 'TAGS', value: (i) => i.tags },
        { title: 'AGENT', value: (i) => i.agent_id },
      ],
      70,
    ),
  ].join('\n');
}
