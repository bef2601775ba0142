import type { AgentTraffic } from '../driver/fleet-driver';
import { servedQuality, type Fleet } from '../truth/fleet';
import type { Outcome, Unit } from './outcomes';
import { groupWindows, netGain, type QualityWindow } from './quality-series';

/*
 * The learnable agents (nothing registered; only the examples their users' good interactions
 * leave behind can help them): what the loop did with dynamic examples there, and the true
 * quality they served before and after — the first and the last full window of each.
 */

export interface LearnableAgentFigures {
  agentId: string;
  tier: string;
  environment: string;
  /** True P(good) of its stable prompt, and with examples on the topic retrieved. */
  stableQuality: number;
  withExamplesQuality: number;
  /** Candidates the simulator registered for it (should be 0). */
  candidatesRegistered: number;
  /** Dynamic examples: the unit's outcome and when they were first promoted (seconds into the run). */
  outcome: Outcome;
  rollouts: number;
  promotedAtSeconds: number | null;
  sessions: number;
  /** Sessions whose config brought examples, and those helped by one (on the topic, a good answer). */
  retrieved: number;
  helped: number;
  before: number | null;
  after: number | null;
  gain: number | null;
}

export interface LearnableFigures {
  count: number;
  /** Learnable agents whose dynamic examples were promoted. */
  promoted: number;
  candidatesRegistered: number;
  /** All learnable agents' sessions together: first and last full window. */
  before: number | null;
  after: number | null;
  gain: number | null;
  agents: LearnableAgentFigures[];
}

export function learnableFigures(i: {
  fleet: Fleet;
  units: readonly Unit[];
  windows: readonly QualityWindow[];
  /** Windows of a series grouped by learnable agent id. */
  perAgentWindows: readonly QualityWindow[];
  candidatesByAgent: Readonly<Record<string, number>>;
  perAgent: readonly AgentTraffic[];
  startedAtMs: number;
}): LearnableFigures {
  const agents = i.fleet.agents
    .filter((a) => a.kind === 'learnable')
    .map((agent): LearnableAgentFigures => {
      const unit = i.units.find((u) => u.class === 'dicl' && u.agentId === agent.agentId);
      const promoted = unit?.rollouts.find((r) => r.status === 'promoted' && r.finished_at);
      const gain = netGain(groupWindows(i.perAgentWindows, agent.agentId));
      const traffic = i.perAgent[agent.index];
      return {
        agentId: agent.agentId,
        tier: agent.tier,
        environment: agent.environment,
        stableQuality: agent.stable.quality,
        withExamplesQuality: servedQuality(agent, agent.stable.quality, true),
        candidatesRegistered: i.candidatesByAgent[agent.agentId] ?? 0,
        outcome: unit?.outcome ?? 'untouched',
        rollouts: unit?.rollouts.length ?? 0,
        promotedAtSeconds: promoted ? (Date.parse(promoted.finished_at!) - i.startedAtMs) / 1000 : null,
        sessions: traffic?.sessions ?? 0,
        retrieved: traffic?.retrieved ?? 0,
        helped: traffic?.helped ?? 0,
        before: gain?.first.quality ?? null,
        after: gain?.last.quality ?? null,
        gain: gain?.gain ?? null,
      };
    });
  const all = netGain(groupWindows(i.windows, 'learnable'));
  return {
    count: agents.length,
    promoted: agents.filter((a) => a.outcome === 'promoted').length,
    candidatesRegistered: agents.reduce((sum, a) => sum + a.candidatesRegistered, 0),
    before: all?.first.quality ?? null,
    after: all?.last.quality ?? null,
    gain: all?.gain ?? null,
    agents,
  };
}
