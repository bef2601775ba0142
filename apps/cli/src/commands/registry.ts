import { num, oneOf, positionals, str } from '../args';
import type { Verb } from '../command';
import { cell, fields, render, pageTable, table } from '../format';
import { seg } from '../http';

interface Agent {
  agent_id: string;
  name: string;
  environment: string;
  stable_revision_id: string | null;
  active_rollout: { rollout_id: string; status: string; weight: number; mutation_type: string } | null;
  created_at: string;
}

export const agents: Verb = {
  name: 'agents',
  summary: 'registered agents with their stable revision and live rollout; one agent in detail',
  usage: ['agents [--environment dev|staging|prod] [--limit <n>] [--cursor <c>]', 'agents <agent_id>'],
  options: {
    environment: { type: 'string', value: '<env>', description: 'dev, staging or prod' },
    limit: { type: 'string', value: '<n>', description: 'page size (1–200)' },
    cursor: { type: 'string', value: '<c>', description: "the previous page's next_cursor" },
  },
  notes: 'GET /api/v1/agents[/{id}].',
  async run(ctx, args) {
    const [id] = positionals(args, [], ['agent_id']);
    if (id) {
      const agent = await ctx.oracle.get<Agent>(`api/v1/agents/${seg(id)}`);
      ctx.emit(agent, () => render(agent));
      return;
    }
    const page = await ctx.oracle.get<{ items: Agent[]; next_cursor: string | null }>('api/v1/agents', {
      query: {
        environment: oneOf(args, 'environment', ['dev', 'staging', 'prod'] as const),
        limit: num(args, 'limit', { min: 1, max: 200, integer: true }),
        cursor: str(args, 'cursor'),
      },
    });
    ctx.emit(page, () =>
      pageTable(
        page,
        [
          { title: 'AGENT', value: (a) => a.agent_id },
          { title: 'ENV', value: (a) => a.environment },
          { title: 'STABLE REVISION', value: (a) => a.stable_revision_id },
          {
            title: 'ROLLOUT',
            value: (a) =>
              a.active_rollout
                ? `${a.active_rollout.mutation_type} ${a.active_rollout.status} ${a.active_rollout.weight} %`
                : undefined,
          },
          { title: 'CREATED', value: (a) => a.created_at },
        ],
        'no agents registered',
      ),
    );
  },
};

interface Candidate {
  candidate_id: string;
  agent_id: string;
  type: string;
  key: string;
  created_at: string;
  training_request_id?: string;
  [more: string]: unknown;
}

export const candidates: Verb = {
  name: 'candidates',
  summary: "an agent's registered candidates (prompt versions, models, LoRA adapters, backends)",
  usage: ['candidates <agent_id> [--type prompt|model|lora|backend] [--limit <n>]'],
  options: {
    type: { type: 'string', value: '<type>', description: 'prompt, model, lora or backend' },
    limit: { type: 'string', value: '<n>', description: 'page size (1–200)' },
    cursor: { type: 'string', value: '<c>', description: "the previous page's next_cursor" },
  },
  notes: 'GET /api/v1/agents/{id}/candidates.',
  async run(ctx, args) {
    const [agentId] = positionals(args, ['agent_id']);
    const page = await ctx.oracle.get<{ items: Candidate[]; next_cursor: string | null }>(
      `api/v1/agents/${seg(agentId!)}/candidates`,
      {
        query: {
          type: oneOf(args, 'type', ['prompt', 'model', 'lora', 'backend'] as const),
          limit: num(args, 'limit', { min: 1, max: 200, integer: true }),
          cursor: str(args, 'cursor'),
        },
      },
    );
    ctx.emit(page, () =>
      page.items.length === 0
        ? `agent ${agentId} has no candidates`
        : table(page.items, [
            { title: 'TYPE', value: (c) => c.type },
            { title: 'KEY', value: (c) => c.key },
            { title: 'DETAIL', value: (c) => detailOf(c) },
            { title: 'CREATED', value: (c) => c.created_at },
            { title: 'CANDIDATE', value: (c) => c.candidate_id },
          ]),
    );
  },
};

function detailOf(c: Candidate): string {
  switch (c.type) {
    case 'prompt':
      return cell(c['template']);
    case 'model':
      return `${cell(c['provider'])} in ${cell(c['cost_per_1k_in'])} out ${cell(c['cost_per_1k_out'])}`;
    case 'lora':
      return `${cell(c['base_model'])} ${cell(c['source'])}`;
    default:
      return cell(c['url']);
  }
}

export const config: Verb = {
  name: 'config',
  summary: "the live config an agent's session is served (its arm, revision, rollout)",
  usage: ['config <agent_id> [--session <id>] [--subject <id>]'],
  options: {
    session: { type: 'string', value: '<id>', description: 'the session (sticky arm; default "metaloop-cli")' },
    subject: { type: 'string', value: '<id>', description: "the end user: their memory's context comes with it" },
  },
  notes: 'feedback-api GET /api/v1/agents/{id}/config.',
  async run(ctx, args) {
    const [agentId] = positionals(args, ['agent_id']);
    const served = await ctx.feedback.get<Record<string, unknown>>(`api/v1/agents/${seg(agentId!)}/config`, {
      query: { session_id: str(args, 'session') ?? 'metaloop-cli', subject_id: str(args, 'subject') },
      flags: { session_id: '--session', subject_id: '--subject' },
    });
    ctx.emit(served, () =>
      [
        fields([
          ['agent', served['agent_id']],
          ['arm', served['arm']],
          ['revision', served['revision_id']],
          ['rollout', served['rollout_id']],
        ]),
        'config:',
        render(served['config'], '  '),
        ...Object.entries(served)
          .filter(([key]) => !['agent_id', 'arm', 'revision_id', 'rollout_id', 'config'].includes(key))
          .map(([key, value]) => `${key}:\n${render(value, '  ')}`),
      ].join('\n'),
    );
  },
};
