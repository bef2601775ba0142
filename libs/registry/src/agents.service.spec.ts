import { baselineConfig, registryHarness, type RegistryHarness } from './__tests__/registry-harness';
import { AgentsService } from './agents.service';
import { AgentExistsError, AgentNotFoundError, RegistryInputError } from './registry.errors';
import { revisionIdentity } from './revision-identity';

describe('AgentsService (real Postgres and NATS)', () => {
  let h: RegistryHarness;
  let agents: AgentsService;

  beforeAll(async () => {
    h = await registryHarness('registry_agents');
    agents = h.get(AgentsService);
  });

  afterAll(() => h?.dispose());

  it('creates an agent with its baseline config as the first, stable revision and announces it', async () => {
    const created = await agents.createAgent(
      { agent_id: 'helpful_assistant', name: 'Helpful', environment: 'prod', config: baselineConfig() },
      'ops',
    );
    expect(created).toEqual({
      agent_id: 'helpful_assistant',
      revision_id: revisionIdentity('helpful_assistant', baselineConfig()).revisionId,
    });
    expect(await agents.getAgent('helpful_assistant')).toEqual({
      agent_id: 'helpful_assistant',
      name: 'Helpful',
      environment: 'prod',
      stable_revision_id: created.revision_id,
      active_rollout: null,
      created_at: expect.any(String),
    });
    const [revision] = await h.prisma.revision.findMany({ where: { agentId: 'helpful_assistant' } });
    expect(revision).toMatchObject({ id: created.revision_id, parentId: null, mutationType: null, createdBy: 'ops' });
    await h.settled();
    expect(h.messages).toEqual([
      { agent_id: 'helpful_assistant', version: 1, reason: 'agent_created', changed_at: expect.any(String) },
    ]);
  });

  it('refuses a duplicate agent id with AgentExistsError (409) and leaves the first untouched', async () => {
    const again = agents.createAgent(
      { agent_id: 'helpful_assistant', environment: 'dev', config: baselineConfig('other') },
      'ops',
    );
    await expect(again).rejects.toBeInstanceOf(AgentExistsError);
    await expect(again).rejects.toMatchObject({ httpStatus: 409 });
    expect((await agents.getAgent('helpful_assistant')).environment).toBe('prod');
    expect(await h.prisma.revision.count({ where: { agentId: 'helpful_assistant' } })).toBe(1);
  });

  it('names an agent after its id when no name is given', async () => {
    await agents.createAgent({ agent_id: 'nameless', environment: 'dev', config: baselineConfig() }, 'ops');
    expect((await agents.getAgent('nameless')).name).toBe('nameless');
  });

  it('answers an unknown agent with AgentNotFoundError (404)', async () => {
    await expect(agents.getAgent('nobody')).rejects.toBeInstanceOf(AgentNotFoundError);
  });

  it('lists agents by id, page by page, and by environment', async () => {
    for (const id of ['a1', 'a2', 'a3', 'a4'])
      await agents.createAgent({ agent_id: id, environment: 'staging', config: baselineConfig() }, 'ops');
    const seen: string[] = [];
    let cursor: string | undefined;
    do {
      const page = await agents.listAgents({ limit: 2, cursor });
      expect(page.items.length).toBeLessThanOrEqual(2);
      seen.push(...page.items.map((agent) => agent.agent_id));
      cursor = page.next_cursor ?? undefined;
    } while (cursor);
    expect(seen).toEqual(['a1', 'a2', 'a3', 'a4', 'helpful_assistant', 'nameless']);
    const staging = await agents.listAgents({ limit: 50, environment: 'staging' });
    expect(staging).toEqual({ items: expect.any(Array), next_cursor: null });
    expect(staging.items.map((agent) => agent.agent_id)).toEqual(['a1', 'a2', 'a3', 'a4']);
  });

  it('refuses a cursor it did not issue (400)', async () => {
    await expect(agents.listAgents({ limit: 2, cursor: 'bm9wZQ' })).rejects.toBeInstanceOf(RegistryInputError);
  });
});
