import { createAdapters } from '@metaloop/adapters';
import { agentConfigSchema, candidateSchema, type Plan } from '@metaloop/contracts';
import type { FreezeControl, MutationBudget } from '@metaloop/control';
import type { PrismaService } from '@metaloop/db';
import { policySchema } from '@metaloop/policies';
import type { AgentSnapshot, AgentSnapshots } from '../../common/agent-snapshots';
import { GateStateReader } from './gate-state.reader';

const AGENT: AgentSnapshot = {
  agentId: 'support_bot',
  environment: 'dev',
  stableRevisionId: 'rev-1',
  stable: agentConfigSchema.parse({ model: 'gpt-4o', prompt: { version: 'v1', template: 'You are helpful.' } }),
  activeRolloutId: null,
  lastRolloutFinishedAt: null,
  livePlan: null,
  candidates: [candidateSchema.parse({ type: 'prompt', version: 'v2', template: 'You are helpful and brief.' })],
};

const planOf = (version: string) =>
  ({
    finding_ids: [],
    mutations: [{ type: 'PROMPT_PATCH', agent_id: AGENT.agentId, params: { source: 'candidate', version } }],
  }) as unknown as Pick<Plan, 'mutations' | 'finding_ids'>;

describe('GateStateReader', () => {
  // The app's one adapter set (AdaptersModule, injected as ADAPTER_SET) and stand-ins for the stores.
  const adapters = createAdapters();
  const reader = new GateStateReader(
    { mutation: { findMany: async () => [] } } as unknown as PrismaService,
    { read: async () => new Map([[AGENT.agentId, AGENT]]) } as unknown as AgentSnapshots,
    { state: async () => ({ frozen: false, reason: null }) } as unknown as FreezeControl,
    {
      usage: async () => ({ activeRollouts: 0, lastHour: 0, lastHourByEnvironment: {}, lastDayByType: {} }),
    } as unknown as MutationBudget,
    adapters,
  );

  it('dry-runs the adapter set it is given (the app’s one set), from the stable config under the policy’s limits', async () => {
    const prepare = jest.spyOn(adapters.PROMPT_PATCH, 'prepare');
    const state = await reader.read(policySchema.parse({}), planOf('v2'));
    expect(state.mutations).toEqual([{ evidence_events: 0, prepare: { ok: true } }]);
    expect(prepare).toHaveBeenCalledWith(
      expect.objectContaining({
        agentId: AGENT.agentId,
        parentRevisionId: 'rev-1',
        parent: AGENT.stable,
        constraints: expect.objectContaining({ route: { maxShiftPoints: 20 } }),
      }),
      { source: 'candidate', version: 'v2' },
    );
    prepare.mockRestore();
  });

  it('records the adapter’s refusal for the policy_compliance gate', async () => {
    const state = await reader.read(policySchema.parse({}), planOf('v9'));
    expect(state.mutations[0]!.prepare).toEqual({
      ok: false,
      code: 'unknown_candidate',
      reason: expect.stringContaining('v9'),
    });
  });
});
