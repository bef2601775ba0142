import { Injectable } from '@nestjs/common';
import { labelledChildren, MetricsRegistry, type TextCounter, type TextCounterChild } from '@metaloop/observability';
import type { Arm } from '@metaloop/contracts';
import { Counter, Gauge, Histogram } from 'prom-client';

const CONFIG_REQUEST_RESULTS = ['ok', 'not_modified', 'not_found', 'unavailable'] as const;
export type ConfigRequestResult = (typeof CONFIG_REQUEST_RESULTS)[number];
/** Where a miss came from: a config request, or feedback without revision_id (which never waits for the load). */
export type MissPath = 'request' | 'feedback';
/**
 * How a miss ended: answered from the negative cache, loaded (Postgres had the agent), unknown
 * (it did not; remembered for CONFIG_MISS_TTL_MS), busy (too many loads at once), error (the load failed).
 */
export type MissOutcome = 'negative_hit' | 'loaded' | 'unknown' | 'busy' | 'error';
/** What brought a change into the cache: its config.changed message, the periodic resync, the reload after a NATS reconnect. */
export type CacheUpdateVia = 'message' | 'resync' | 'reconnect';

/** Series of the agent config endpoint and the cache behind it. */
@Injectable()
export class AgentConfigMetrics {
  /** A series per agent: a text family (see @metaloop/observability), cheap to scrape. */
  readonly requests: TextCounter<'agent_id' | 'arm' | 'result'>;
  readonly revisionFills: Counter<'result'>;
  readonly propagation: Histogram<'via'>;
  readonly messages: Counter<'outcome'>;
  readonly reloadErrors: Counter<'trigger'>;
  readonly agents: Gauge;
  readonly misses: Counter<'path' | 'outcome'>;
  readonly missLoads: Counter<'result'>;
  /** agent_id, arm, result */
  private requestSeries: (...labels: string[]) => TextCounterChild;
  /** By result, per feedback event without revision_id (the hot path of collect). */
  readonly revisionFill: (result: 'hit' | 'miss') => Counter.Internal;

  constructor(registry: MetricsRegistry) {
    this.requests = registry.textCounter({
      name: 'metaloop_config_requests_total',
      help: 'Agent config requests by agent, arm (stable, canary; none and no agent when not found or unavailable) and result (ok, not_modified, not_found, unavailable)',
      labelNames: ['agent_id', 'arm', 'result'],
    });
    this.revisionFills = new Counter({
      name: 'metaloop_config_revision_fills_total',
      help: 'Feedback without revision_id looked up in the config cache: hit (filled from the session arm), miss (not cached: left unattributed, and the agent is loaded for its next event)',
      labelNames: ['result'],
      registers: [registry],
    });
    this.propagation = new Histogram({
      name: 'metaloop_config_propagation_seconds',
      help: 'From a live config change (changed_at) to this replica serving it, by what brought it (message, resync, reconnect)',
      labelNames: ['via'],
      buckets: [0.002, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60],
      registers: [registry],
    });
    this.messages = new Counter({
      name: 'metaloop_config_changed_messages_total',
      help: 'config.changed messages by outcome: applied, stale (not newer than the cache), invalid',
      labelNames: ['outcome'],
      registers: [registry],
    });
    this.reloadErrors = new Counter({
      name: 'metaloop_config_reload_errors_total',
      help: 'Failed cache reloads by trigger (message, resync, reconnect); the cache keeps serving what it has',
      labelNames: ['trigger'],
      registers: [registry],
    });
    this.agents = new Gauge({
      name: 'metaloop_config_cache_agents',
      help: 'Agents in the config cache',
      registers: [registry],
    });
    this.misses = new Counter({
      name: 'metaloop_config_cache_misses_total',
      help: 'Config cache misses by path (request, feedback) and outcome (negative_hit, loaded, unknown, busy, error); no agent label, clients choose unknown ids',
      labelNames: ['path', 'outcome'],
      registers: [registry],
    });
    this.missLoads = new Counter({
      name: 'metaloop_config_miss_loads_total',
      help: 'Postgres loads started by cache misses (one per agent at a time, however many misses wait for it) by result: found, unknown, error',
      labelNames: ['result'],
      registers: [registry],
    });
    this.requestSeries = labelledChildren(this.requests);
    this.revisionFill = labelledChildren(this.revisionFills);
  }

  /** Drops the request series of an agent that is not registered any more. */
  forgetAgent(agentId: string): void {
    for (const arm of ['stable', 'canary'] as const)
      for (const result of CONFIG_REQUEST_RESULTS) this.requests.remove(agentId, arm, result);
    // The cached children of removed series would count where no scrape sees them.
    this.requestSeries = labelledChildren(this.requests);
  }

  miss(path: MissPath, outcome: MissOutcome): void {
    this.misses.inc({ path, outcome });
  }

  /** Per request of the hot path. An agent that is not registered gets no agent_id label: clients choose that id. */
  configRequest(agentId: string | undefined, arm: Arm | 'none', result: ConfigRequestResult): void {
    this.requestSeries(agentId ?? '', arm, result).inc();
  }
}
