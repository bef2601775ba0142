import type { AgentTruth, Fleet } from '../truth/fleet';
import { topicsOf } from '../truth/topics';

/**
 * The demo's four agents, named by what they show: one whose registered prompt is far better
 * (the loop should promote it), one whose registered prompt is worse (rolled back), one fine agent
 * (nothing happens), and one fine agent an operator breaks mid-run by deploying a bad prompt
 * (the loop should canary the replaced prompt back). The better one serves the most traffic, so
 * its canary fills its samples first under the production policy. With `learner` (the flywheel,
 * `--trainer`): a fifth agent whose users are unhappy, with nothing registered, whose runtime
 * sends each interaction's query and answer; only a model trained on its good interactions (the
 * stand-in trainer's LoRA) makes it better, and examples retrieved for it do not (no DICL lift).
 */
export function demoFleet(options: {
  seed: number;
  idPrefix: string;
  regressionAtSeconds: number | null;
  learner?: boolean;
}): Fleet {
  const agent = (
    index: number,
    name: string,
    weight: number,
    quality: number,
    rest: Partial<AgentTruth>,
  ): AgentTruth => ({
    index,
    agentId: `${options.idPrefix}-${name}`,
    environment: 'dev',
    kind: 'fine',
    tier: 'medium',
    weight,
    stable: { version: 'v1', template: `You are the ${name} demo assistant.`, quality },
    candidates: [],
    regression: null,
    topics: [],
    diclLift: 0,
    artifacts: false,
    ...rest,
  });
  const agents = [
    agent(0, 'better', 0.4, 0.45, {
      kind: 'needy',
      candidates: [
        {
          version: 'v2',
          template: 'You are the better demo assistant. Check every fact.',
          quality: 0.92,
          truth: 'better',
        },
      ],
    }),
    agent(1, 'worse', 0.3, 0.45, {
      kind: 'needy',
      candidates: [
        { version: 'v2', template: 'You are the worse demo assistant. Guess quickly.', quality: 0.2, truth: 'worse' },
      ],
    }),
    agent(2, 'fine', 0.1, 0.92, {}),
  ];
  if (options.regressionAtSeconds !== null) {
    agents.push(
      agent(3, 'regress', 0.2, 0.92, {
        regression: {
          atSeconds: options.regressionAtSeconds,
          prompt: {
            version: 'v1-hotfix',
            template: 'You are the regress demo assistant. Answer in one word.',
            quality: 0.3,
          },
        },
      }),
    );
  }
  if (options.learner) {
    const index = agents.length;
    agents.push(
      agent(index, 'learner', 0.3, 0.4, {
        kind: 'needy',
        topics: topicsOf(options.seed, index, 5),
        artifacts: true,
      }),
    );
  }
  const total = agents.reduce((sum, a) => sum + a.weight, 0);
  for (const a of agents) a.weight /= total;
  return { seed: options.seed, agents };
}
