import { baselineConfig, registryHarness, type RegistryHarness } from './__tests__/registry-harness';
import { AgentsService } from './agents.service';
import { AgentNotFoundError, RevisionNotFoundError } from './registry.errors';
import { RevisionsService } from './revisions.service';

describe('RevisionsService (real Postgres)', () => {
  let h: RegistryHarness;
  let revisions: RevisionsService;
  let baselineId: string;
  const concise = {
    ...baselineConfig(),
    prompt: { version: 'v2', template: 'You are a helpful assistant.\nAnswer in one sentence.' },
  };

  beforeAll(async () => {
    h = await registryHarness('registry_revisions');
    revisions = h.get(RevisionsService);
    ({ revision_id: baselineId } = await h
      .get(AgentsService)
      .createAgent({ agent_id: 'agent', environment: 'dev', config: baselineConfig() }, 'ops'));
    await h.get(AgentsService).createAgent({ agent_id: 'other', environment: 'dev', config: baselineConfig() }, 'ops');
  });

  afterAll(() => h?.dispose());

  it('derives a revision from its parent, with provenance', async () => {
    const revision = await revisions.createRevision(
      'agent',
      baselineId,
      concise,
      'PROMPT_PATCH',
      { rule: 'conciseness' },
      'orchestrator',
    );
    expect(revision).toMatchObject({
      agent_id: 'agent',
      parent_id: baselineId,
      mutation_type: 'PROMPT_PATCH',
      change_summary: { rule: 'conciseness' },
      created_by: 'orchestrator',
      config: { ...concise, lora: [], memory: [], examples: [] },
    });
  });

  it('is idempotent by content hash: the same config again is the same revision, as first stored', async () => {
    const first = await revisions.createRevision(
      'agent',
      baselineId,
      concise,
      'PROMPT_PATCH',
      { rule: 'conciseness' },
      'orchestrator',
    );
    const reordered = {
      prompt: { template: concise.prompt.template, version: 'v2' },
      params: { temperature: 0.7 },
      model: concise.model,
    };
    const again = await revisions.createRevision('agent', null, reordered, 'PARAM_SET', null, 'someone-else');
    expect(again).toEqual(first);
    const concurrent = await Promise.all(
      Array.from({ length: 5 }, () =>
        revisions.createRevision('agent', baselineId, { ...concise, lora: ['x'] }, 'LORA_APPLY', null, 'o'),
      ),
    );
    expect(new Set(concurrent.map((r) => r.revision_id)).size).toBe(1);
    expect(await h.prisma.revision.count({ where: { agentId: 'agent' } })).toBe(3);
  });

  it('refuses an unknown agent or a parent of another agent', async () => {
    await expect(revisions.createRevision('nobody', null, concise, null, null, 'o')).rejects.toBeInstanceOf(
      AgentNotFoundError,
    );
    const [otherBaseline] = await h.prisma.revision.findMany({ where: { agentId: 'other' } });
    await expect(
      revisions.createRevision('agent', otherBaseline!.id, { ...concise, model: 'm2' }, 'MODEL_SWAP', null, 'o'),
    ).rejects.toBeInstanceOf(RevisionNotFoundError);
    await expect(revisions.getRevision('agent', otherBaseline!.id)).rejects.toMatchObject({ httpStatus: 404 });
  });

  it('lists revisions newest first, page by page', async () => {
    const ids: string[] = [];
    let cursor: string | undefined;
    do {
      const page = await revisions.listRevisions('agent', { limit: 2, cursor });
      ids.push(...page.items.map((r) => r.revision_id));
      cursor = page.next_cursor ?? undefined;
    } while (cursor);
    const rows = await h.prisma.revision.findMany({
      where: { agentId: 'agent' },
      orderBy: [{ createdAt: 'desc' }, { id: 'desc' }],
    });
    expect(ids).toEqual(rows.map((row) => row.id));
    expect(ids.at(-1)).toBe(baselineId);
    await expect(revisions.listRevisions('nobody', { limit: 2 })).rejects.toBeInstanceOf(AgentNotFoundError);
  });

  it('diffs two revisions path by path, the prompt template also line by line', async () => {
    const target = await revisions.createRevision(
      'agent',
      baselineId,
      { ...concise, params: { temperature: 0.2 } },
      'PARAM_SET',
      null,
      'o',
    );
    const diff = await revisions.diff('agent', baselineId, target.revision_id);
    expect(diff).toEqual({
      agent_id: 'agent',
      from_revision_id: baselineId,
      to_revision_id: target.revision_id,
      changes: [
        { path: 'params.temperature', kind: 'changed', before: 0.7, after: 0.2 },
        {
          path: 'prompt.template',
          kind: 'changed',
          before: baselineConfig().prompt.template,
          after: concise.prompt.template,
        },
        { path: 'prompt.version', kind: 'changed', before: 'v1', after: 'v2' },
      ],
      prompt_template_diff: [
        { op: 'equal', text: 'You are a helpful assistant.' },
        { op: 'removed', text: 'Answer briefly.' },
        { op: 'added', text: 'Answer in one sentence.' },
      ],
    });
    expect((await revisions.diff('agent', baselineId, baselineId)).changes).toEqual([]);
    await expect(revisions.diff('agent', baselineId, 'rev_missing')).rejects.toBeInstanceOf(RevisionNotFoundError);
  });
});
