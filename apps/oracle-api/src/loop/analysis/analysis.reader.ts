import { Injectable } from '@nestjs/common';
import { PrismaService } from '@metaloop/db';
import type { CandidateSpec, Environment } from '@metaloop/contracts';
import type { RollupSums } from '../rollups/rollup-aggregation';
import type { AnalysisSnapshot, ModelCandidate, RetrainView, RevisionSums } from './analysis-snapshot';
import { hourStart, type AnalysisWindows } from './analysis-windows';
import {
  AGENTS,
  BURST_COMPLAINTS,
  MODEL_CANDIDATES,
  NEW_QUALITY_SAMPLES,
  periodSumsQuery,
  RETRAIN_STATES,
  REVISION_MODELS,
} from './analysis.sql';

type Sql = Pick<PrismaService, '$queryRawUnsafe' | '$executeRawUnsafe'>;

type PeriodRow = RollupSums & { agent_id: string; revision_id: string; period: 'window' | 'baseline' };

/** Reads what one analysis looks at from the rollups and the registry, in one consistent snapshot. */
@Injectable()
export class AnalysisReader {
  constructor(private readonly prisma: PrismaService) {}

  read(now: Date, windows: AnalysisWindows, agentIds?: readonly string[]): Promise<AnalysisSnapshot> {
    return this.prisma.$transaction(
      async (tx) => {
        // The sums over many rows look expensive enough to the planner to JIT-compile them,
        // which costs a second and saves nothing here; and the GROUP BY's sort would spill to
        // disk at the default 4 MB.
        await tx.$executeRawUnsafe('SET LOCAL jit = off');
        await tx.$executeRawUnsafe(`SET LOCAL work_mem = '64MB'`);
        return readSnapshot(tx, now, windows, agentIds);
      },
      { isolationLevel: 'RepeatableRead', maxWait: 10_000, timeout: 60_000 },
    );
  }
}

async function readSnapshot(
  sql: Sql,
  now: Date,
  windows: AnalysisWindows,
  agentIds?: readonly string[],
): Promise<AnalysisSnapshot> {
  const query = periodSumsQuery({ window: windows.window, baseline: windows.baseline }, agentIds);
  const rows = await sql.$queryRawUnsafe<PeriodRow[]>(query.text, ...query.values);
  const groups = new Map<string, RevisionSums>();
  for (const { agent_id, revision_id, period, ...sums } of rows) {
    const key = `${agent_id}\u0000${revision_id}`;
    const group = groups.get(key) ?? { agent_id, revision_id };
    group[period] = sums;
    groups.set(key, group);
  }
  const analyzed = [...new Set([...groups.values()].map((g) => g.agent_id))].sort();
  // One connection (the transaction's): the statements run one after another anyway.
  const bursts = await sql.$queryRawUnsafe<AnalysisSnapshot['bursts']>(
    BURST_COMPLAINTS,
    windows.burst.from.toISOString(),
    windows.burst.to.toISOString(),
    analyzed,
  );
  const agents = await sql.$queryRawUnsafe<
    Array<{ agent_id: string; environment: Environment; stable_revision_id: string | null }>
  >(AGENTS, analyzed);
  const revisions = await sql.$queryRawUnsafe<Array<{ revision_id: string; model: string | null }>>(
    REVISION_MODELS,
    analyzed,
  );
  const candidates = await sql.$queryRawUnsafe<Array<{ agent_id: string; model: string; spec: CandidateSpec }>>(
    MODEL_CANDIDATES,
    analyzed,
  );
  const retrain = await readRetrainStates(sql, now, analyzed);
  const modelCandidates = new Map<string, ModelCandidate[]>();
  for (const { agent_id, model, spec } of candidates) {
    if (spec.type !== 'model') continue;
    modelCandidates.set(agent_id, [
      ...(modelCandidates.get(agent_id) ?? []),
      { model, cost_per_1k_in: spec.cost_per_1k_in, cost_per_1k_out: spec.cost_per_1k_out },
    ]);
  }
  return {
    now,
    windows,
    groups: [...groups.values()],
    bursts,
    agents: new Map(agents.map(({ agent_id, ...agent }) => [agent_id, agent])),
    revisionModels: new Map(
      revisions.flatMap(({ revision_id, model }) => (model ? [[revision_id, model] as const] : [])),
    ),
    modelCandidates,
    retrain,
  };
}

async function readRetrainStates(sql: Sql, now: Date, agentIds: readonly string[]): Promise<Map<string, RetrainView>> {
  const states = await sql.$queryRawUnsafe<Array<Omit<RetrainView, 'new_samples'> & { agent_id: string }>>(
    RETRAIN_STATES,
    agentIds,
  );
  if (states.length === 0) return new Map();
  const earliest = new Date(Math.min(...states.map((s) => s.samples_since.getTime())));
  const samples = await sql.$queryRawUnsafe<Array<{ agent_id: string; samples: number }>>(
    NEW_QUALITY_SAMPLES,
    hourStart(now).toISOString(),
    now.toISOString(),
    earliest.toISOString(),
    states.map((s) => s.agent_id),
  );
  const counted = new Map(samples.map((s) => [s.agent_id, s.samples]));
  return new Map(
    states.map(({ agent_id, ...state }) => [agent_id, { ...state, new_samples: counted.get(agent_id) ?? 0 }]),
  );
}
