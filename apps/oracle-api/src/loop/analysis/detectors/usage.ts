import type { Environment } from '@metaloop/contracts';
import { oneProportionZTest, type TestResult } from '@metaloop/stats';
import type { AnalysisSnapshot } from '../analysis-snapshot';
import type { AnalyzerThresholds } from '../analyzer-thresholds';
import { dedupKey, Detections, pct, pText, range, testEvidence } from '../finding-draft';

/**
 * Usage imbalance: among the registered agents of one environment that had traffic in the
 * window (at least `usage_min_agents` of them), an agent whose share of the events is above
 * the maximum, or below both the minimum and half the even share 1/N. Each side is a
 * one-sided one-proportion z-test against its bound.
 */
export function detectUsageImbalance(snapshot: AnalysisSnapshot, t: AnalyzerThresholds, detections: Detections): void {
  const traffic = new Map<Environment, Map<string, number>>();
  for (const group of snapshot.groups) {
    const agent = snapshot.agents.get(group.agent_id);
    if (!agent || !group.window || group.window.count === 0) continue;
    const perAgent = traffic.get(agent.environment) ?? new Map<string, number>();
    traffic.set(
      agent.environment,
      perAgent.set(group.agent_id, (perAgent.get(group.agent_id) ?? 0) + group.window.count),
    );
  }
  for (const [environment, perAgent] of traffic) {
    if (perAgent.size < t.usage_min_agents) continue;
    const total = [...perAgent.values()].reduce((a, b) => a + b, 0);
    const high = t.usage_share_max_pct / 100;
    const low = Math.min(t.usage_share_min_pct / 100, 0.5 / perAgent.size);
    for (const [agentId, count] of perAgent) {
      const sample = { successes: count, n: total };
      const over = oneProportionZTest(sample, high, { alternative: 'greater' });
      const under = oneProportionZTest(sample, low, { alternative: 'less' });
      const overTest = detections.test(over.pValue);
      const underTest = detections.test(under.pValue);
      const share = count / total;
      const context = { snapshot, agentId, environment, count, total, agents: perAgent.size };
      if (share > high) detections.propose(imbalance(context, 'over', over, high), overTest);
      else if (share < low) detections.propose(imbalance(context, 'under', under, low), underTest);
    }
  }
}

interface ShareContext {
  snapshot: AnalysisSnapshot;
  agentId: string;
  environment: Environment;
  count: number;
  total: number;
  agents: number;
}

function imbalance(
  { snapshot, agentId, environment, count, total, agents }: ShareContext,
  side: 'over' | 'under',
  test: TestResult,
  bound: number,
) {
  const share = count / total;
  return {
    type: 'usage_imbalance' as const,
    agent_id: agentId,
    revision_id: null,
    severity: side === 'under' ? ('low' as const) : share > 1.5 * bound ? ('high' as const) : ('medium' as const),
    confidence: 0,
    summary: `${pct(share)} of the ${environment} traffic (${count} of ${total} events over ${agents} agents), ${side === 'over' ? 'above' : 'below'} ${pct(bound)}, ${pText(test.pValue)}`,
    evidence: {
      metric: 'traffic_share',
      window: range(snapshot.windows.window),
      n: count,
      environment_total: total,
      agents_in_environment: agents,
      environment,
      value: share,
      even_share: 1 / agents,
      threshold: bound,
      side,
      ...testEvidence(test),
    },
    dedup_key: dedupKey('usage_imbalance', agentId, side),
  };
}
