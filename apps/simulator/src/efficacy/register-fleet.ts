import { ApiError, type MetaloopClient } from '../api/client';
import type { AgentTruth, Fleet } from '../truth/fleet';

export const MODEL = 'llama-3-8b';

export interface RegistrationResult {
  agents: number;
  candidates: number;
  /** Candidates registered per agent id (what was registered by hand). */
  candidatesByAgent: Record<string, number>;
  /** The first config fetch right after `POST /agents` answered 201 that did not answer 200 (read-your-writes). */
  notReadableAtOnce: number;
  /** How long until feedback-api served each new agent, ms. */
  readableAfterMs: number[];
}

const CONCURRENCY = 4;
const READABLE_TIMEOUT_MS = 30_000;

/**
 * Registers every agent with its stable prompt and its candidates through oracle-api, as a user
 * would, and waits until feedback-api serves each one. The first fetch right after the 201 is
 * counted: a 404 there is the registry not being readable right after its write.
 */
export async function registerFleet(client: MetaloopClient, fleet: Fleet): Promise<RegistrationResult> {
  const result: RegistrationResult = {
    agents: 0,
    candidates: 0,
    candidatesByAgent: {},
    notReadableAtOnce: 0,
    readableAfterMs: [],
  };
  const queue = [...fleet.agents];
  const worker = async () => {
    for (let agent = queue.shift(); agent; agent = queue.shift()) await register(client, agent, result);
  };
  await Promise.all(Array.from({ length: CONCURRENCY }, worker));
  return result;
}

async function register(client: MetaloopClient, agent: AgentTruth, result: RegistrationResult): Promise<void> {
  await client.createAgent({
    agent_id: agent.agentId,
    name: `simulated agent ${agent.index}`,
    environment: agent.environment,
    config: { model: MODEL, prompt: { version: agent.stable.version, template: agent.stable.template } },
  });
  const created = Date.now();
  result.agents++;
  for (let attempt = 0; ; attempt++) {
    try {
      await client.config(agent.agentId, `${agent.agentId}-probe`);
      result.readableAfterMs.push(Date.now() - created);
      break;
    } catch (error) {
      if (attempt === 0) result.notReadableAtOnce++;
      if (!(error instanceof ApiError) || Date.now() - created > READABLE_TIMEOUT_MS) throw error;
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
  }
  result.candidatesByAgent[agent.agentId] = 0;
  for (const candidate of agent.candidates) {
    await client.addPromptCandidate(agent.agentId, candidate.version, candidate.template);
    result.candidates++;
    result.candidatesByAgent[agent.agentId]!++;
  }
}
