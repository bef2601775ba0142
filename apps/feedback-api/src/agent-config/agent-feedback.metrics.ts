import { Injectable } from '@nestjs/common';
import type { FeedbackEvent } from '@metaloop/contracts';
import {
  MetricsRegistry,
  type TextCounter,
  type TextCounterChild,
  type TextHistogram,
  type TextObserver,
  type TextSummary,
} from '@metaloop/observability';

/** Which arm served a revision: the agent's stable one, its canary, or one no longer live. */
export type ServedArm = 'stable' | 'canary' | 'other';

/**
 * The agent_id label of events for an agent that is not registered: clients choose agent ids,
 * so each unknown one counting under its own label would let any caller grow /metrics without
 * bound. Parentheses never occur in a registered agent id.
 */
export const UNREGISTERED_AGENT = '(unregistered)';
/** The revision_id label on the `other` arm: revisions that are not live are the client's to name. */
const NOT_LIVE_REVISION = 'other';

type RevisionLabel = 'agent_id' | 'arm' | 'revision_id';
type Series<T> = { agent_id: string; arm: ServedArm; revision_id: string; child: T };

/**
 * Agent response times run from a tenth of a second to tens of seconds. Eight bounds: the
 * histogram is 11 of an agent's ~17 series, and with 1,000 agents every line counts per scrape.
 */
const RESPONSE_BUCKETS = [0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30];

/**
 * What accepted feedback says about each agent, for the dashboards (the oracle decides from the
 * rollups in Postgres, not from these): ratings, helpfulness, complaints, and the response
 * time and success the agents report, per revision and arm so stable and canary sit side by
 * side. Only registered agents get series (the caller checks); series of revisions that
 * stopped being live, and of agents no longer registered, are dropped, so labels stay bounded.
 * About 17 series per agent: text families (see @metaloop/observability), cheap to scrape.
 */
@Injectable()
export class AgentFeedbackMetrics {
  private readonly rating: TextSummary<'agent_id'>;
  private readonly helpful: TextCounter<'agent_id' | 'helpful'>;
  private readonly complaints: TextCounter<'agent_id'>;
  private readonly response: TextHistogram<RevisionLabel>;
  private readonly outcomes: TextCounter<RevisionLabel>;
  private readonly successes: TextCounter<RevisionLabel>;
  /** agent → "arm revision" → the per-revision children. */
  private readonly revisions = new Map<
    string,
    Map<string, Series<{ response: TextObserver; outcomes: TextCounterChild; successes: TextCounterChild }>>
  >();

  constructor(registry: MetricsRegistry) {
    // Sum and count only (the mean rating is what the dashboards read): 2 series per agent, not 8.
    this.rating = registry.textSummary({
      name: 'metaloop_feedback_rating',
      help: 'Explicit ratings (1–5) of accepted feedback, by agent: _sum / _count is the mean',
      labelNames: ['agent_id'],
    });
    this.helpful = registry.textCounter({
      name: 'metaloop_feedback_helpful_total',
      help: 'Accepted feedback that says whether the answer helped, by agent and helpful (true, false)',
      labelNames: ['agent_id', 'helpful'],
    });
    this.complaints = registry.textCounter({
      name: 'metaloop_feedback_complaints_total',
      help: 'Accepted feedback carrying a complaint, by agent',
      labelNames: ['agent_id'],
    });
    this.response = registry.textHistogram({
      name: 'metaloop_agent_response_seconds',
      help: 'Response time the agents report in implicit feedback, by agent, arm (stable, canary, other) and revision',
      labelNames: ['agent_id', 'arm', 'revision_id'],
      buckets: RESPONSE_BUCKETS,
    });
    this.outcomes = registry.textCounter({
      name: 'metaloop_agent_outcomes_total',
      help: 'Accepted feedback reporting success or a success rate, by agent, arm and revision',
      labelNames: ['agent_id', 'arm', 'revision_id'],
    });
    this.successes = registry.textCounter({
      name: 'metaloop_agent_successes_total',
      help: 'Sum of reported success (1/0, or the success rate) of accepted feedback, by agent, arm and revision: / outcomes = success rate',
      labelNames: ['agent_id', 'arm', 'revision_id'],
    });
  }

  /** One accepted (not duplicate) feedback event, attributed to `revisionId` served on `arm`. */
  record(event: FeedbackEvent, revisionId: string | undefined, arm: ServedArm): void {
    const agent = event.agent_id;
    const explicit = event.explicit;
    if (explicit) {
      if (explicit.rating !== undefined) this.rating.labels(agent).observe(explicit.rating);
      if (explicit.helpful !== undefined) this.helpful.labels(agent, String(explicit.helpful)).inc();
      if (explicit.complaint) this.complaints.labels(agent).inc();
    }
    const implicit = event.implicit;
    if (!implicit || !revisionId) return;
    const success = implicit.success !== undefined ? Number(implicit.success) : implicit.success_rate;
    if (implicit.response_time_ms === undefined && success === undefined) return;
    const series = this.series(agent, arm, arm === 'other' ? NOT_LIVE_REVISION : revisionId);
    if (implicit.response_time_ms !== undefined) series.response.observe(implicit.response_time_ms / 1000);
    if (success !== undefined) {
      series.outcomes.inc();
      series.successes.inc(success);
    }
  }

  /** Drops the per-revision series of an agent that are not among its live revisions any more. */
  retain(agentId: string, live: ReadonlyMap<string, ServedArm>): void {
    const known = this.revisions.get(agentId);
    if (!known) return;
    for (const [key, s] of known) {
      if (live.get(s.revision_id) === s.arm) continue;
      for (const family of [this.response, this.outcomes, this.successes])
        family.remove(s.agent_id, s.arm, s.revision_id);
      known.delete(key);
    }
  }

  /** Drops every series of an agent that is not registered any more. */
  forget(agentId: string): void {
    this.rating.remove(agentId);
    for (const helpful of ['true', 'false']) this.helpful.remove(agentId, helpful);
    this.complaints.remove(agentId);
    this.retain(agentId, new Map());
    this.revisions.delete(agentId);
  }

  private series(agentId: string, arm: ServedArm, revisionId: string) {
    let byAgent = this.revisions.get(agentId);
    if (!byAgent) this.revisions.set(agentId, (byAgent = new Map()));
    const key = `${arm} ${revisionId}`;
    let series = byAgent.get(key);
    if (!series) {
      series = {
        agent_id: agentId,
        arm,
        revision_id: revisionId,
        child: {
          response: this.response.labels(agentId, arm, revisionId),
          outcomes: this.outcomes.labels(agentId, arm, revisionId),
          successes: this.successes.labels(agentId, arm, revisionId),
        },
      };
      byAgent.set(key, series);
    }
    return series.child;
  }
}
