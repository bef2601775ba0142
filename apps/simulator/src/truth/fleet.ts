import { apportion, shuffle, streamRandom, uniform } from './random';
import { topicsOf } from './topics';

/*
 * The ground truth only the simulator knows: per agent a stable quality q = P(good interaction),
 * per registered prompt candidate whether it is truly better, worse or the same (A/A), and the
 * regressions an operator will deploy mid-run. metaloop never sees any of it; it sees feedback.
 */

export const TRUTH_CLASSES = ['better', 'worse', 'identical'] as const;
export type TruthClass = (typeof TRUTH_CLASSES)[number];
/**
 * needy: users are unhappy (mean rating well below 3), a fix is registered; fine: nothing should
 * happen; learnable: unhappy too, nothing registered at all, but its runtime reports each
 * interaction (query and answer), so good ones can become examples that help the next similar
 * query (DICL) — the loop has to find that fix by itself.
 */
export type AgentKind = 'needy' | 'fine' | 'learnable';
export type Environment = 'dev' | 'staging' | 'prod';
export type TrafficTier = 'heavy' | 'medium' | 'light';

export interface PromptTruth {
  version: string;
  template: string;
  /** P(an interaction served with this prompt is good). */
  quality: number;
}

export interface CandidateTruth extends PromptTruth {
  truth: TruthClass;
}

/** A bad prompt an operator deploys over the stable one at `atSeconds` into the run. */
export interface RegressionTruth {
  atSeconds: number;
  prompt: PromptTruth;
}

export interface AgentTruth {
  index: number;
  agentId: string;
  environment: Environment;
  kind: AgentKind;
  tier: TrafficTier;
  /** Share of the fleet's sessions (all agents' weights sum to 1). */
  weight: number;
  stable: PromptTruth;
  candidates: CandidateTruth[];
  regression: RegressionTruth | null;
  /** The topics its users ask about (ids of `TOPICS`). */
  topics: string[];
  /** What an example on the session's topic with a good answer, retrieved with its config, adds to P(good) (capped at `DICL_CAP`). */
  diclLift: number;
  /** Whether its runtime sends each interaction's query and answer with the feedback (so examples can be stored). */
  artifacts: boolean;
}

export interface Fleet {
  seed: number;
  agents: AgentTruth[];
}

export interface FleetOptions {
  seed: number;
  agents: number;
  /** Agent ids are `<prefix>-<index>`: unique per run, so reruns never collide. */
  idPrefix: string;
  /** Regressions are deployed between 30 % and 50 % of it. */
  runSeconds: number;
  /** Share of agents that are fine. */
  fineShare?: number;
  /** How the needy agents' candidates split over the truth classes. */
  candidateMix?: Readonly<Record<TruthClass, number>>;
  /** Fine agents on which an operator deploys a bad prompt mid-run (default: a tenth of the fleet, at least one). */
  regressions?: number;
  /** Learnable agents, taken from the needy share (default: a fifteenth of the fleet, 2 of 30). */
  learnable?: number;
  /**
   * Whose runtimes send artifacts (query and answer) with their feedback: `learnable` agents only
   * (default), or `all`. With all, needy agents get examples too, and the loop may turn dynamic
   * examples on for them once their registered candidate is spent — mutations the budget of
   * bench/policies/efficacy.yaml was not sized for.
   */
  artifacts?: ArtifactMode;
}

export type ArtifactMode = 'learnable' | 'all';

const TIERS: Readonly<Record<TrafficTier, { share: number; weight: number }>> = {
  heavy: { share: 0.2, weight: 2.5 },
  medium: { share: 0.5, weight: 1 },
  light: { share: 0.3, weight: 0.5 },
};
const ENVIRONMENTS: Readonly<Record<Environment, number>> = { prod: 0.6, staging: 0.25, dev: 0.15 };
export const DEFAULT_CANDIDATE_MIX: Readonly<Record<TruthClass, number>> = { better: 0.4, worse: 0.3, identical: 0.3 };

/**
 * Quality ranges. A needy agent's mean rating must sit clearly below 3 for the analyzer's t-test
 * to be sure within a few minutes' window: under the user model q = 0.45 rates 2.7 on average,
 * q = 0.5 already 2.85, hence 0.30–0.45.
 */
export const QUALITY: Readonly<
  Record<AgentKind | 'betterLift' | 'worseDrop' | 'regression' | 'diclLift', readonly [number, number]>
> = {
  fine: [0.85, 0.95],
  needy: [0.3, 0.45],
  learnable: [0.3, 0.45],
  diclLift: [0.3, 0.4],
  betterLift: [0.25, 0.35],
  worseDrop: [0.15, 0.25],
  regression: [0.3, 0.42],
};

/** The most P(good) retrieved examples lift a session to. */
export const DICL_CAP = 0.95;
/** Topics per agent: its users ask about 5 or 6 of the catalogue's. */
const TOPICS_PER_AGENT: readonly [number, number] = [5, 6];

export function buildFleet(options: FleetOptions): Fleet {
  const { seed, agents: n, idPrefix, runSeconds } = options;
  const random = streamRandom(seed, 0x7f1ee7);
  const fineCount = Math.round(n * (options.fineShare ?? 0.4));
  const learnableCount = Math.max(0, Math.min(n - fineCount, options.learnable ?? Math.round(n / 15)));
  const needyCount = n - fineCount - learnableCount;
  const kinds = shuffle(random, [
    ...repeat<AgentKind>('fine', fineCount),
    ...repeat<AgentKind>('needy', needyCount),
    ...repeat<AgentKind>('learnable', learnableCount),
  ]);
  const tiers = shuffle(
    random,
    spread(n, { heavy: TIERS.heavy.share, medium: TIERS.medium.share, light: TIERS.light.share }),
  );
  const environments = shuffle(random, spread(n, ENVIRONMENTS));
  const needyClasses = shuffle(random, spread(needyCount, options.candidateMix ?? DEFAULT_CANDIDATE_MIX));
  // A fine agent carries a registered candidate too (same or worse): the loop has something it
  // could wrongly start there, so "fine agents stay untouched" can actually fail.
  const fineClasses = shuffle(random, spread<TruthClass>(fineCount, { identical: 0.5, worse: 0.5, better: 0 }));
  const totalWeight = tiers.reduce((sum, tier) => sum + TIERS[tier].weight, 0);

  let needyIndex = 0;
  let fineIndex = 0;
  const agents = kinds.map((kind, index): AgentTruth => {
    const agentId = `${idPrefix}-${String(index).padStart(2, '0')}`;
    const quality = round(uniform(random, ...QUALITY[kind]));
    // Topics and the lift come from a stream of their own: the draws above stay what they were.
    const own = streamRandom(seed, 0xd1c1, index);
    const topicCount = TOPICS_PER_AGENT[0] + Math.floor(own.next() * (TOPICS_PER_AGENT[1] - TOPICS_PER_AGENT[0] + 1));
    const common = {
      index,
      agentId,
      environment: environments[index]!,
      kind,
      tier: tiers[index]!,
      weight: TIERS[tiers[index]!].weight / totalWeight,
      stable: { version: 'v1', template: `You are ${agentId}, a support assistant.`, quality },
      regression: null,
      topics: topicsOf(seed, index, topicCount),
      diclLift: round(uniform(own, ...QUALITY.diclLift)),
      artifacts: kind === 'learnable' || options.artifacts === 'all',
    };
    if (kind === 'learnable') return { ...common, candidates: [] };
    const truth = kind === 'needy' ? needyClasses[needyIndex++]! : fineClasses[fineIndex++]!;
    return {
      ...common,
      candidates: [
        {
          version: 'v2',
          template: `You are ${agentId}, a support assistant. Think before you answer.`,
          quality: candidateQuality(random, quality, truth),
          truth,
        },
      ],
    };
  });

  const fine = shuffle(
    random,
    agents.filter((a) => a.kind === 'fine'),
  );
  const regressions = Math.min(fine.length, options.regressions ?? Math.max(1, Math.round(n / 10)));
  for (const agent of fine.slice(0, regressions)) {
    agent.regression = {
      atSeconds: Math.round(uniform(random, 0.3, 0.5) * runSeconds),
      prompt: {
        version: 'v1-hotfix',
        template: `You are ${agent.agentId}. Answer in one word.`,
        quality: round(uniform(random, ...QUALITY.regression)),
      },
    };
  }
  return { seed, agents };
}

function candidateQuality(random: ReturnType<typeof streamRandom>, stable: number, truth: TruthClass): number {
  switch (truth) {
    case 'better':
      return round(Math.min(0.97, stable + uniform(random, ...QUALITY.betterLift)));
    case 'worse':
      return round(Math.max(0.05, stable - uniform(random, ...QUALITY.worseDrop)));
    case 'identical':
      return stable;
  }
}

/**
 * The true quality of what a session was served, by the prompt version in its config. A rule
 * patch (`<version>:<rule>`, the planner's own instruction appended) is worth what its parent
 * is: the simulated users are not helped by it. Unknown versions answer undefined.
 */
export function qualityOf(agent: AgentTruth, promptVersion: string): number | undefined {
  if (promptVersion === agent.stable.version) return agent.stable.quality;
  const candidate = agent.candidates.find((c) => c.version === promptVersion);
  if (candidate) return candidate.quality;
  if (agent.regression?.prompt.version === promptVersion) return agent.regression.prompt.quality;
  const colon = promptVersion.lastIndexOf(':');
  return colon > 0 ? qualityOf(agent, promptVersion.slice(0, colon)) : undefined;
}

/**
 * The true quality of a session: its prompt's, lifted by `diclLift` (up to `DICL_CAP`) when the
 * examples retrieved with its config hold one on the session's topic with a good answer.
 */
export function servedQuality(agent: AgentTruth, promptQuality: number, helpedByExamples: boolean): number {
  return helpedByExamples
    ? round(Math.max(promptQuality, Math.min(DICL_CAP, promptQuality + agent.diclLift)))
    : promptQuality;
}

/**
 * The best quality the agent can reach (what a perfect loop ends with): its best registered
 * prompt, with the lift of dynamic examples when its runtime reports the interactions they are made of.
 */
export function bestQuality(agent: AgentTruth): number {
  const prompt = Math.max(agent.stable.quality, ...agent.candidates.map((c) => c.quality));
  return agent.artifacts ? servedQuality(agent, prompt, true) : prompt;
}

function spread<K extends string>(count: number, shares: Readonly<Record<K, number>>): K[] {
  const counts = apportion(count, shares);
  return (Object.keys(counts) as K[]).flatMap((k) => repeat(k, counts[k]));
}

function repeat<T>(value: T, times: number): T[] {
  return Array.from({ length: times }, () => value);
}

const round = (value: number) => Math.round(value * 1000) / 1000;
