import type { RetrievedExample } from '../api/wire';
import { servedQuality, type AgentTruth } from '../truth/fleet';
import { streamRandom } from '../truth/random';
import { composeAnswer, composeQuery, helpsWith } from '../truth/topics';
import { interact, type Interaction, type UserModel } from '../users/user-model';

/** What one session's user asks: a function of (seed, agent, session index) alone; null for an agent without topics. */
export function sessionQuery(seed: number, agent: AgentTruth, index: number): { topic: string; text: string } | null {
  return agent.topics.length ? composeQuery(agent.topics, streamRandom(seed, agent.index, index, 0x9e)) : null;
}

export interface PlayedSession {
  /** The true P(good) of what was served. */
  quality: number;
  /** Whether the retrieved examples held one on the query's topic with a good answer. */
  helped: boolean;
  interaction: Interaction;
  /** The query and the answer, when the agent's runtime reports them. */
  artifacts?: { input: string; output: string };
}

/**
 * How a session went, given the true quality of its prompt and the examples its config fetch
 * brought: the user's draws come from the stream (seed, agent, session index) as before, the
 * answer's wording from a stream of its own, so adding artifacts changes no user's verdict.
 */
export function playSession(o: {
  seed: number;
  agent: AgentTruth;
  index: number;
  query: { topic: string; text: string } | null;
  promptQuality: number;
  retrieved: readonly RetrievedExample[] | undefined;
  model: UserModel;
}): PlayedSession {
  const helped = o.query !== null && helpsWith(o.query.topic, o.retrieved ?? []);
  const quality = servedQuality(o.agent, o.promptQuality, helped);
  const interaction = interact(quality, streamRandom(o.seed, o.agent.index, o.index), o.model);
  if (!o.agent.artifacts || o.query === null) return { quality, helped, interaction };
  const output = composeAnswer(o.query.topic, interaction.good, streamRandom(o.seed, o.agent.index, o.index, 0xa5));
  return { quality, helped, interaction, artifacts: { input: o.query.text, output } };
}
