import type { Endpoints } from '../api/client';
import { MODEL } from '../efficacy/register-fleet';
import { learningCurve, startStandInTrainer, type StandInTrainer } from '../trainer/stand-in-trainer';
import type { AgentTruth, Fleet } from '../truth/fleet';

/*
 * The learning flywheel in the demo (issue 15): the stand-in trainer serves oracle-api's
 * TRAINER_URL, and the `learner` agent, whose runtime sends each interaction's query and answer,
 * gets a dataset built from its good feedback, a training request, a trained LoRA adapter
 * registered for it, and (the planner proposing it for the agent's quality finding) a canary and a
 * promotion. This prints the steps metaloop's read APIs and the trainer show.
 */

/** The true quality a LoRA trained on many good examples approaches (the learning curve's ceiling). */
export const TRAINED_CEILING = 0.9;

export interface FlywheelOptions {
  endpoints: Endpoints;
  fleet: Fleet;
  /** Where the stand-in trainer listens (oracle-api's TRAINER_URL must point here). */
  port: number;
  /** oracle-api's TRAINER_SECRET. */
  secret: string;
  log: (line: string) => void;
}

interface DatasetSeen {
  dataset_id: string;
  status: string;
  error: string | null;
  manifest: { counts: Record<string, number> } | null;
}

export interface Flywheel {
  trainer: StandInTrainer;
  /** Logs what changed since the last call: datasets of the learner, adapters the trainer registered. */
  report(): Promise<void>;
  close(): Promise<void>;
}

/** The agents the flywheel is for: those whose runtime sends artifacts. */
export const learnersOf = (fleet: Fleet): AgentTruth[] => fleet.agents.filter((agent) => agent.artifacts);

export async function startFlywheel(o: FlywheelOptions): Promise<Flywheel> {
  const byId = new Map(o.fleet.agents.map((agent) => [agent.agentId, agent]));
  const trainer = await startStandInTrainer(
    {
      secret: o.secret,
      oracleUrl: o.endpoints.oracleUrl,
      apiKey: o.endpoints.apiKey,
      baseModel: () => MODEL,
      quality: (agentId, trainExamples) => {
        const stable = byId.get(agentId)?.stable.quality ?? 0.5;
        return learningCurve(stable, Math.max(stable, TRAINED_CEILING))(trainExamples);
      },
    },
    o.port,
  );
  const datasets = new Map<string, string>();
  const adapters = new Set<string>();
  let errors = 0;
  let skipped = 0;
  const nameOf = (agentId: string) => agentId.slice(agentId.lastIndexOf('-') + 1);

  const report = async () => {
    for (const agent of learnersOf(o.fleet)) {
      const listed = await fetch(
        `${o.endpoints.oracleUrl}/api/v1/datasets?agent_id=${encodeURIComponent(agent.agentId)}&limit=20`,
        {
          headers: o.endpoints.apiKey ? { authorization: `Bearer ${o.endpoints.apiKey}` } : {},
          signal: AbortSignal.timeout(5_000),
        },
      )
        .then((r) => (r.ok ? (r.json() as Promise<{ items: DatasetSeen[] }>) : { items: [] }))
        .catch(() => ({ items: [] as DatasetSeen[] }));
      for (const line of datasetChanges(datasets, listed.items, nameOf(agent.agentId))) o.log(line);
    }
    for (const adapter of trainer.trained.values()) {
      if (adapters.has(adapter.adapterId)) continue;
      adapters.add(adapter.adapterId);
      o.log(
        `⚙ ${nameOf(adapter.agentId)}: the stand-in trainer got training request ${adapter.trainingRequestId} (signed webhook), "trained" on ${adapter.trainExamples} examples and registered lora candidate ${adapter.adapterId} (true quality ${adapter.quality}; metaloop only sees feedback)`,
      );
    }
    for (const request of trainer.skipped.slice(skipped))
      o.log(
        `⚙ ${nameOf(request.agentId)}: the stand-in trainer got training request ${request.trainingRequestId} with ${request.trainExamples} training lines (its runtime sends no query and answer): nothing to train, no candidate`,
      );
    skipped = trainer.skipped.length;
    for (const error of trainer.errors.slice(errors)) o.log(`⚙ stand-in trainer: ${error}`);
    errors = trainer.errors.length;
  };
  return { trainer, report, close: () => trainer.close() };
}

/** The lines a new listing of an agent's datasets adds (keyed by dataset id, remembering each status). */
export function datasetChanges(seen: Map<string, string>, current: readonly DatasetSeen[], name: string): string[] {
  const lines: string[] = [];
  for (const dataset of [...current].reverse()) {
    if (seen.get(dataset.dataset_id) === dataset.status) continue;
    seen.set(dataset.dataset_id, dataset.status);
    const counts = dataset.manifest?.counts;
    if (dataset.status === 'building')
      lines.push(`⛁ ${name}: dataset ${dataset.dataset_id} building (retrain trigger)`);
    else if (dataset.status === 'ready' && counts)
      lines.push(
        `⛁ ${name}: dataset ${dataset.dataset_id} ready — ${counts['scanned']} events scanned, ${counts['positive']} good, ${counts['deduplicated']} distinct: ${counts['train']} train / ${counts['validation']} validation lines`,
      );
    else
      lines.push(
        `⛁ ${name}: dataset ${dataset.dataset_id} ${dataset.status}${dataset.error ? `: ${dataset.error}` : ''}`,
      );
  }
  return lines;
}
