import { baselineConfig, registryHarness, type RegistryHarness } from './__tests__/registry-harness';
import { AgentsService } from './agents.service';
import { CandidatesService } from './candidates.service';
import { AgentNotFoundError, CandidateExistsError, RegistryInputError } from './registry.errors';

describe('CandidatesService (real Postgres)', () => {
  let h: RegistryHarness;
  let candidates: CandidatesService;
  const model = {
    type: 'model' as const,
    model: 'gpt-4o',
    provider: 'openai',
    cost_per_1k_in: 0.0025,
    cost_per_1k_out: 0.01,
  };

  beforeAll(async () => {
    h = await registryHarness('registry_candidates');
    candidates = h.get(CandidatesService);
    for (const agent_id of ['agent', 'other'])
      await h.get(AgentsService).createAgent({ agent_id, environment: 'dev', config: baselineConfig() }, 'ops');
  });

  afterAll(() => h?.dispose());

  it('registers a candidate and answers it with its id and key', async () => {
    expect(await candidates.addCandidate('agent', model)).toEqual({
      ...model,
      candidate_id: expect.any(String),
      agent_id: 'agent',
      key: 'gpt-4o',
      created_at: expect.any(String),
    });
  });

  it('refuses the same key of the same type for the same agent (409), not for another type or agent', async () => {
    await expect(candidates.addCandidate('agent', { ...model, provider: 'azure' })).rejects.toBeInstanceOf(
      CandidateExistsError,
    );
    await expect(candidates.addCandidate('agent', { ...model, provider: 'azure' })).rejects.toMatchObject({
      httpStatus: 409,
    });
    await candidates.addCandidate('other', model);
    await candidates.addCandidate('agent', { type: 'backend', backend_id: 'gpt-4o', url: 'https://llm.example/v1' });
  });

  it('registers a candidate only if the agent has none of its type and key (registerIfAbsent)', async () => {
    const prompt = { type: 'prompt' as const, version: 'v0', template: 'The first prompt.' };
    expect(await candidates.registerIfAbsent('other', prompt)).toBe(true);
    expect(
      await candidates.registerIfAbsent('other', { ...prompt, template: 'Another text under the same version.' }),
    ).toBe(false);
    expect((await candidates.listCandidates('other', { limit: 50, type: 'prompt' })).items).toEqual([
      expect.objectContaining({ key: 'v0', template: 'The first prompt.' }),
    ]);
  });

  it('refuses an unknown agent (404)', async () => {
    await expect(candidates.addCandidate('nobody', model)).rejects.toBeInstanceOf(AgentNotFoundError);
    await expect(candidates.listCandidates('nobody', { limit: 10 })).rejects.toBeInstanceOf(AgentNotFoundError);
  });

  it('lists in registration order, by type, page by page', async () => {
    await candidates.addCandidate('agent', { type: 'prompt', version: 'v2', template: 'Be brief.' });
    await candidates.addCandidate('agent', {
      type: 'lora',
      adapter_id: 'style-v1',
      base_model: 'llama-3-8b',
      source: 's3://adapters/style-v1',
    });
    const keys: string[] = [];
    let cursor: string | undefined;
    do {
      const page = await candidates.listCandidates('agent', { limit: 3, cursor });
      keys.push(...page.items.map((c) => `${c.type}:${c.key}`));
      cursor = page.next_cursor ?? undefined;
    } while (cursor);
    expect(keys).toEqual(['model:gpt-4o', 'backend:gpt-4o', 'prompt:v2', 'lora:style-v1']);
    expect(
      (await candidates.listCandidates('agent', { limit: 10, type: 'model' })).items.map(
        (c) => c.type === 'model' && c.provider,
      ),
    ).toEqual(['openai']);
    await expect(
      candidates.listCandidates('agent', { limit: 10, cursor: Buffer.from('["not-a-uuid"]').toString('base64url') }),
    ).rejects.toBeInstanceOf(RegistryInputError);
  });
});
