import { writeFile } from 'node:fs/promises';
import { resolve } from 'node:path';
import { num, oneOf, positionals, requireStr, str } from '../args';
import type { Verb } from '../command';
import { UsageError } from '../errors';
import { cell, fields, render, table } from '../format';
import { seg } from '../http';
import { readJsonFile } from '../read-json';

interface Revision {
  revision_id: string;
  parent_id: string | null;
  mutation_type: string | null;
  created_by: string;
  created_at: string;
  config: { model?: string; prompt?: { version?: string } };
}
interface Diff {
  changes: Array<{ path: string; kind: string; before?: unknown; after?: unknown }>;
  prompt_template_diff: Array<{ op: string; text: string }> | null;
}

/** Registering agents and candidates, deploying a config by hand, and an agent's revisions. */
export const revisions: Verb = {
  name: 'revisions',
  summary: "an agent's revisions (content-hashed configs), one in full, or the diff of two",
  usage: [
    'revisions <agent_id> [--limit <n>]',
    'revisions <agent_id> <revision_id>',
    'revisions <agent_id> <from> <to>   (the diff)',
  ],
  options: {
    limit: { type: 'string', value: '<n>', description: 'page size (1–200)' },
    cursor: { type: 'string', value: '<c>', description: "the previous page's next_cursor" },
  },
  notes: 'GET /api/v1/agents/{id}/revisions[/{rev}], GET …/revisions/{a}/diff/{b}.',
  async run(ctx, args) {
    const [agentId, from, to] = positionals(args, ['agent_id'], ['revision_id', 'to_revision_id']);
    const base = `api/v1/agents/${seg(agentId!)}/revisions`;
    if (from && to) {
      const diff = await ctx.oracle.get<Diff>(`${base}/${seg(from)}/diff/${seg(to)}`);
      ctx.emit(diff, () =>
        [
          diff.changes.length === 0
            ? 'no changes'
            : table(diff.changes, [
                { title: 'PATH', value: (c) => c.path },
                { title: 'CHANGE', value: (c) => c.kind },
                { title: 'BEFORE', value: (c) => c.before },
                { title: 'AFTER', value: (c) => c.after },
              ]),
          ...(diff.prompt_template_diff
            ? [
                '',
                'prompt template:',
                ...diff.prompt_template_diff.map(
                  (line) => `${line.op === 'added' ? '+' : line.op === 'removed' ? '-' : ' '} ${line.text}`,
                ),
              ]
            : []),
        ].join('\n'),
      );
      return;
    }
    if (from) {
      const revision = await ctx.oracle.get<Revision>(`${base}/${seg(from)}`);
      ctx.emit(revision, () => render(revision));
      return;
    }
    const page = await ctx.oracle.get<{ items: Revision[]; next_cursor: string | null }>(base, {
      query: { limit: num(args, 'limit', { min: 1, max: 200, integer: true }), cursor: str(args, 'cursor') },
    });
    ctx.emit(page, () =>
      table(page.items, [
        { title: 'REVISION', value: (r) => r.revision_id },
        { title: 'PARENT', value: (r) => r.parent_id },
        { title: 'MUTATION', value: (r) => r.mutation_type },
        { title: 'MODEL', value: (r) => r.config.model },
        { title: 'PROMPT', value: (r) => r.config.prompt?.version },
        { title: 'BY', value: (r) => r.created_by },
        { title: 'CREATED', value: (r) => r.created_at },
      ]),
    );
  },
};

export const register: Verb = {
  name: 'register',
  summary: 'register an agent (its first config) or a candidate the loop may switch to',
  usage: [
    'register agent <agent_id> --config <file.json> [--env dev|staging|prod] [--name <name>]',
    'register candidate <agent_id> --prompt-version <v> --template <text>',
    'register candidate <agent_id> --file <candidate.json>   (model, lora or backend: the API body)',
  ],
  options: {
    config: {
      type: 'string',
      value: '<file>',
      description: 'agent: the config JSON {model, prompt: {version, template}, params?, …} (- for stdin)',
    },
    env: { type: 'string', value: '<env>', description: 'agent: dev (default), staging or prod' },
    name: { type: 'string', value: '<name>', description: 'agent: a display name' },
    'prompt-version': { type: 'string', value: '<v>', description: 'candidate: a prompt version' },
    template: { type: 'string', value: '<text>', description: "candidate: that version's template" },
    file: { type: 'string', value: '<file>', description: 'candidate: the whole body as JSON (- for stdin)' },
  },
  notes: 'POST /api/v1/agents, POST /api/v1/agents/{id}/candidates. A duplicate is a 409 (exit 1).',
  async run(ctx, args) {
    const [kind, agentId] = positionals(args, ['agent|candidate', 'agent_id']);
    if (kind === 'agent') {
      const config = await readJsonFile(ctx.cwd, requireStr(args, 'config'), 'config', args.verb);
      const created = await ctx.oracle.post<{ agent_id: string; revision_id: string }>(
        'api/v1/agents',
        {
          agent_id: agentId,
          environment: oneOf(args, 'env', ['dev', 'staging', 'prod'] as const) ?? 'dev',
          ...(str(args, 'name') ? { name: str(args, 'name') } : {}),
          config,
        },
        { flags: { agent_id: 'agent_id', environment: '--env', name: '--name', config: '--config' } },
      );
      ctx.emit(created, () => `registered agent ${created.agent_id}: stable revision ${created.revision_id}`);
      return;
    }
    if (kind !== 'candidate') throw new UsageError(`register what? "agent" or "candidate", not "${kind}"`, args.verb);
    const file = str(args, 'file');
    const version = str(args, 'prompt-version');
    if (!file === !version) throw new UsageError('give --prompt-version with --template, or --file', args.verb);
    const body = file
      ? await readJsonFile(ctx.cwd, file, 'file', args.verb)
      : { type: 'prompt', version, template: requireStr(args, 'template') };
    const made = await ctx.oracle.post<{ candidate_id: string; type: string; key: string }>(
      `api/v1/agents/${seg(agentId!)}/candidates`,
      body,
      { flags: { version: '--prompt-version', template: '--template' } },
    );
    ctx.emit(made, () => `registered ${made.type} candidate ${made.key} of ${agentId} (${made.candidate_id})`);
  },
};

export const deploy: Verb = {
  name: 'deploy',
  summary: "make a config the agent's stable revision at once (by hand, audited)",
  usage: ['deploy <agent_id> --config <file.json> [--reason <text>]'],
  options: {
    config: { type: 'string', value: '<file>', description: 'the config JSON (- for stdin)' },
    reason: { type: 'string', value: '<text>', description: 'why (audited)' },
  },
  notes: 'POST /api/v1/agents/{id}/deploy. A live rollout of the agent refuses it: 409 deploy-refused (exit 3).',
  async run(ctx, args) {
    const [agentId] = positionals(args, ['agent_id']);
    const config = await readJsonFile(ctx.cwd, requireStr(args, 'config'), 'config', args.verb);
    const reason = str(args, 'reason');
    const answer = await ctx.oracle.post<{
      revision_id: string;
      previous_revision_id: string | null;
      changed: boolean;
      registered_prompt_candidate: string | null;
    }>(
      `api/v1/agents/${seg(agentId!)}/deploy`,
      { config, ...(reason ? { reason } : {}) },
      { flags: { config: '--config', reason: '--reason' } },
    );
    ctx.emit(answer, () =>
      answer.changed
        ? fields([
            ['deployed', answer.revision_id],
            ['replaced', answer.previous_revision_id],
            ['kept as candidate', answer.registered_prompt_candidate],
          ])
        : `already the stable config (${answer.revision_id}): nothing changed`,
    );
  },
};

interface MetricDefinition {
  name: string;
  type: string;
  level: string;
  optimize: string;
  description: string | null;
}

export const metrics: Verb = {
  name: 'metrics',
  summary: 'metric definitions feedback may carry (TensorZero style); define one',
  usage: [
    'metrics',
    'metrics create --name <name> --type boolean|float --level inference|episode --optimize max|min [--description <text>]',
  ],
  options: {
    name: { type: 'string', value: '<name>', description: 'create: letters, digits, _ . : -' },
    type: { type: 'string', value: '<type>', description: 'create: boolean or float' },
    level: { type: 'string', value: '<level>', description: 'create: inference or episode' },
    optimize: { type: 'string', value: '<dir>', description: 'create: max or min' },
    description: { type: 'string', value: '<text>', description: 'create: what it measures' },
  },
  notes: 'GET/POST /api/v1/metrics.',
  async run(ctx, args) {
    const [sub] = positionals(args, [], ['create']);
    if (sub === 'create') {
      const made = await ctx.oracle.post<MetricDefinition>(
        'api/v1/metrics',
        {
          name: requireStr(args, 'name'),
          type: oneOf(args, 'type', ['boolean', 'float'] as const) ?? requireStr(args, 'type'),
          level: oneOf(args, 'level', ['inference', 'episode'] as const) ?? requireStr(args, 'level'),
          optimize: oneOf(args, 'optimize', ['max', 'min'] as const) ?? requireStr(args, 'optimize'),
          ...(str(args, 'description') ? { description: str(args, 'description') } : {}),
        },
        {
          flags: {
            name: '--name',
            type: '--type',
            level: '--level',
            optimize: '--optimize',
            description: '--description',
          },
        },
      );
      ctx.emit(made, () => `defined metric ${made.name} (${made.type}, ${made.level}, ${made.optimize})`);
      return;
    }
    if (sub) throw new UsageError(`unknown metrics command "${sub}"`, args.verb);
    const list = await ctx.oracle.get<{ items: MetricDefinition[] }>('api/v1/metrics');
    ctx.emit(list, () =>
      list.items.length === 0
        ? 'no metrics defined'
        : table(list.items, [
            { title: 'NAME', value: (m) => m.name },
            { title: 'TYPE', value: (m) => m.type },
            { title: 'LEVEL', value: (m) => m.level },
            { title: 'OPTIMIZE', value: (m) => m.optimize },
            { title: 'DESCRIPTION', value: (m) => m.description },
          ]),
    );
  },
};

export const training: Verb = {
  name: 'training',
  summary: 'a training request and its chain: dataset, trained candidate, the rollouts that used it, audit',
  usage: ['training <training_request_id>'],
  options: {},
  notes: 'GET /api/v1/training-requests/{id}.',
  async run(ctx, args) {
    const [id] = positionals(args, ['training_request_id']);
    const chain = await ctx.oracle.get<unknown>(`api/v1/training-requests/${seg(id!)}`);
    ctx.emit(chain, () => render(chain));
  },
};

interface Example {
  id: string;
  similarity?: number;
  input?: string;
  output?: string;
  [more: string]: unknown;
}

export const examples: Verb = {
  name: 'examples',
  summary: "the agent's stored examples most like a query (DICL retrieval)",
  usage: ['examples <agent_id> --query <text> [--k <n>] [--min-similarity <0-1>]'],
  options: {
    query: { type: 'string', value: '<text>', description: 'what the agent is asked' },
    k: { type: 'string', value: '<n>', description: 'how many (default 4, at most 50)' },
    'min-similarity': { type: 'string', value: '<x>', description: 'cosine similarity at least this (0–1)' },
  },
  notes: 'feedback-api POST /api/v1/agents/{id}/examples/search.',
  async run(ctx, args) {
    const [agentId] = positionals(args, ['agent_id']);
    const k = num(args, 'k', { min: 1, max: 50, integer: true });
    const min = num(args, 'min-similarity', { min: 0, max: 1 });
    const answer = await ctx.feedback.post<{ items?: Example[]; examples?: Example[] }>(
      `api/v1/agents/${seg(agentId!)}/examples/search`,
      {
        query: requireStr(args, 'query'),
        ...(k !== undefined ? { k } : {}),
        ...(min !== undefined ? { min_similarity: min } : {}),
      },
      { flags: { query: '--query', k: '--k', min_similarity: '--min-similarity' } },
    );
    const items = answer.items ?? answer.examples ?? [];
    ctx.emit(answer, () =>
      items.length === 0
        ? 'no examples'
        : table(items, [
            { title: 'SIMILARITY', value: (e) => e.similarity ?? e['score'] },
            { title: 'INPUT', value: (e) => e.input },
            { title: 'OUTPUT', value: (e) => e.output },
          ]),
    );
  },
};

export const subjectLogs: Verb = {
  name: 'subject-logs',
  summary: 'the training logs of every subject as JSONL: selections or persona updates',
  usage: [
    'subject-logs selections|persona-updates [--agent <id>] [--from <iso>] [--to <iso>] [--limit <n>] [--output <file>]',
  ],
  options: {
    agent: { type: 'string', value: '<id>', description: 'one agent' },
    from: { type: 'string', value: '<iso>', description: 'window start' },
    to: { type: 'string', value: '<iso>', description: 'window end' },
    limit: { type: 'string', value: '<n>', description: 'at most this many lines' },
    output: { type: 'string', value: '<file>', description: 'write the JSONL here instead of stdout' },
  },
  notes: 'GET /api/v1/subject-logs/{kind}.',
  async run(ctx, args) {
    const [kind] = positionals(args, ['selections|persona-updates']);
    if (kind !== 'selections' && kind !== 'persona-updates') {
      throw new UsageError(`expected selections or persona-updates, got "${kind}"`, args.verb);
    }
    const response = await ctx.oracle.send('GET', `api/v1/subject-logs/${kind}`, {
      accept: 'application/x-ndjson',
      query: {
        agent_id: str(args, 'agent'),
        from: str(args, 'from'),
        to: str(args, 'to'),
        limit: num(args, 'limit', { min: 1, integer: true }),
      },
      flags: { agent_id: '--agent', from: '--from', to: '--to', limit: '--limit' },
    });
    const text = await response.text();
    const output = str(args, 'output');
    if (!output) {
      ctx.stdout.write(text);
      return;
    }
    await writeFile(resolve(ctx.cwd, output), text);
    const lines = text.split('\n').filter(Boolean).length;
    ctx.emit({ file: resolve(ctx.cwd, output), lines }, () => `wrote ${cell(lines)} ${kind} line(s) to ${output}`);
  },
};
