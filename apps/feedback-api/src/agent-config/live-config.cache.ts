import { createHash } from 'node:crypto';
import { Injectable, Logger, type OnApplicationShutdown, type OnModuleInit } from '@nestjs/common';
import { ConfigService } from '@nestjs/config';
import type { AgentConfigResponse, Arm, ConfigChangedMessage, DynamicExamples } from '@metaloop/contracts';
import { NatsService } from '@metaloop/messaging';
import { LiveConfigStore, stickyArm, type AgentLiveState, type LiveRevision } from '@metaloop/registry';
import type { Env } from '../config/env.schema';
import { AgentConfigMetrics, type CacheUpdateVia } from './agent-config.metrics';
import { AgentFeedbackMetrics, UNREGISTERED_AGENT, type ServedArm } from './agent-feedback.metrics';
import { ConfigUnavailableError } from './config-unavailable.error';
import { UnknownAgents } from './unknown-agents';

/** One arm's answer, serialised once per change rather than once per request. */
export interface ServedConfig {
  arm: Arm;
  revisionId: string;
  body: string;
  etag: string;
  /** The revision's dynamic examples (DICL): a fetch with a query then brings the examples most like it. */
  dynamicExamples?: DynamicExamples;
}

interface CachedAgent {
  state: AgentLiveState;
  stable: ServedConfig;
  canary: ServedConfig | null;
  /** Date.now() when loaded: a resync snapshot taken before it cannot evict it. */
  loadedAt: number;
}

/** A load that races a message may still read the old version; it is retried this often at most. */
const MAX_LOADS_PER_MESSAGE = 3;

/**
 * Every agent's live config in memory, so serving one never touches Postgres or Redis:
 * loaded before the app serves, reloaded per agent on each `config.changed` (a message not
 * newer than the cached version is ignored), compared with Postgres every CONFIG_RESYNC_MS
 * and reloaded in full after each NATS (re)connect, so a lost message only delays.
 * A miss reads that agent from Postgres (read-your-writes: an agent created a moment ago is
 * served before its message arrives); an id Postgres does not know is remembered for
 * CONFIG_MISS_TTL_MS. Versions only move forward, whatever arrives late.
 */
@Injectable()
export class LiveConfigCache implements OnModuleInit, OnApplicationShutdown {
  private readonly logger = new Logger(LiveConfigCache.name);
  private readonly agents = new Map<string, CachedAgent>();
  private readonly loading = new Map<string, Promise<void>>();
  private readonly unknown: UnknownAgents;
  private readonly maxMissLoads: number;
  /** Loads started by misses and not finished yet. */
  private missLoads = 0;
  private reloading?: Promise<void>;
  private timer?: NodeJS.Timeout;
  private stopListening?: () => void;
  private readonly droppedListeners: Array<(agentId: string) => void> = [];

  constructor(
    private readonly store: LiveConfigStore,
    private readonly nats: NatsService,
    private readonly metrics: AgentConfigMetrics,
    private readonly config: ConfigService<Env, true>,
    private readonly feedbackMetrics: AgentFeedbackMetrics,
  ) {
    this.unknown = new UnknownAgents(
      config.get('CONFIG_MISS_TTL_MS', { infer: true }),
      config.get('CONFIG_MISS_MAX_ENTRIES', { infer: true }),
    );
    this.maxMissLoads = config.get('CONFIG_MISS_MAX_LOADS', { infer: true });
  }

  /**
   * Listens for (re)connects before the first load: whether NATS connects before or after it,
   * no change slips between the load and the subscription. Serving an empty cache would answer
   * 404 for every agent, so a failed first load stops the start.
   */
  async onModuleInit(): Promise<void> {
    this.stopListening = this.nats.onConnect(
      () => void this.background('reconnect', () => this.reloadAll('reconnect')),
    );
    await this.reloadAll();
    this.timer = setInterval(
      () => void this.background('resync', () => this.resync()),
      this.config.get('CONFIG_RESYNC_MS', { infer: true }),
    );
    this.timer.unref();
  }

  onApplicationShutdown(): void {
    clearInterval(this.timer);
    this.stopListening?.();
  }

  /** The config a session of the agent gets, or undefined when the agent is not registered. */
  serve(agentId: string, sessionId: string): ServedConfig | undefined {
    const cached = this.agents.get(agentId);
    if (!cached) return undefined;
    return stickyArm(cached.state.rollout, sessionId) === 'canary' && cached.canary ? cached.canary : cached.stable;
  }

  /**
   * After serve() missed: undefined when the agent is known not to be registered (Postgres said
   * so within CONFIG_MISS_TTL_MS), else a promise that settles once the cache has read the agent
   * from Postgres, by a load started after this call (one load per agent at a time, shared by
   * every miss waiting for it). It rejects with ConfigUnavailableError (503) when
   * CONFIG_MISS_MAX_LOADS loads run already or the load failed.
   */
  loadMissing(agentId: string): Promise<void> | undefined {
    if (this.unknown.has(agentId)) {
      this.metrics.miss('request', 'negative_hit');
      return undefined;
    }
    return this.loadFresh(agentId).then(
      () => this.metrics.miss('request', this.agents.has(agentId) ? 'loaded' : 'unknown'),
      (error: Error) => {
        const busy = error instanceof ConfigUnavailableError;
        this.metrics.miss('request', busy ? 'busy' : 'error');
        if (busy) throw error;
        // The cause is for the log: a database's error text (hosts, users) is not the client's business.
        this.logger.warn(`loading agent ${agentId} for a config request failed (${error.message})`);
        throw new ConfigUnavailableError(agentId, 'the registry could not be read');
      },
    );
  }

  /**
   * The revision feedback of this session is attributed to when it names none; undefined for an
   * agent not cached. Feedback never waits for Postgres: a miss starts a load in the background,
   * so the agent's next event is attributed.
   */
  revisionFor(agentId: string, sessionId: string): string | undefined {
    const revisionId = this.serve(agentId, sessionId)?.revisionId;
    this.metrics.revisionFill(revisionId ? 'hit' : 'miss').inc();
    if (!revisionId) this.prefetch(agentId);
    return revisionId;
  }

  /** The agent_id label of the agent's series: its id when registered, else one shared label. */
  agentLabel(agentId: string): string {
    return this.isRegistered(agentId) ? agentId : UNREGISTERED_AGENT;
  }

  isRegistered(agentId: string): boolean {
    return this.agents.has(agentId);
  }

  /** Calls `listener` with each agent that leaves the cache (no longer registered), so its series go. */
  onAgentDropped(listener: (agentId: string) => void): void {
    this.droppedListeners.push(listener);
  }

  /** Which arm serves a revision of the agent now: stable, canary, or other (not live, or not registered). */
  armOf(agentId: string, revisionId: string): ServedArm {
    const cached = this.agents.get(agentId);
    if (cached?.stable.revisionId === revisionId) return 'stable';
    return cached?.canary?.revisionId === revisionId ? 'canary' : 'other';
  }

  /** Reloads the agent a message names unless the cache holds that version already. */
  async onChanged(message: ConfigChangedMessage): Promise<void> {
    const id = message.agent_id;
    this.unknown.delete(id);
    if (this.versionOf(id) >= message.version) {
      this.metrics.messages.inc({ outcome: 'stale' });
      return;
    }
    for (let load = 0; load < MAX_LOADS_PER_MESSAGE && this.versionOf(id) < message.version; load++) {
      try {
        await this.loadAgent(id);
      } catch (error) {
        this.metrics.reloadErrors.inc({ trigger: 'message' });
        this.logger.warn(`reload of agent ${id} failed (${(error as Error).message}); the next resync retries`);
        return;
      }
    }
    if (this.versionOf(id) < message.version) return;
    this.metrics.messages.inc({ outcome: 'applied' });
    this.metrics.propagation.observe({ via: 'message' }, secondsSince(message.changed_at));
  }

  /** Compares every agent's version with Postgres and reloads the ones that changed (or appeared). */
  private async resync(): Promise<void> {
    const snapshotAt = Date.now();
    const versions = await this.store.loadVersions();
    this.evictMissing(new Set(versions.keys()), snapshotAt);
    const changed = [...versions].filter(([id, version]) => this.versionOf(id) < version).map(([id]) => id);
    if (changed.length > 0) for (const state of await this.store.loadLiveStates(changed)) this.put(state, 'resync');
  }

  private async reloadAll(via?: CacheUpdateVia): Promise<void> {
    const snapshotAt = Date.now();
    const states = await this.store.loadLiveStates();
    this.evictMissing(new Set(states.map((state) => state.agentId)), snapshotAt);
    for (const state of states) this.put(state, via);
  }

  /** Starts a load of an uncached agent for the feedback path, unless one runs, the id is known unknown or loads are at their bound. */
  private prefetch(agentId: string): void {
    if (this.loading.has(agentId)) return;
    if (this.unknown.has(agentId)) return void this.metrics.miss('feedback', 'negative_hit');
    this.missLoad(agentId).then(
      () => this.metrics.miss('feedback', this.agents.has(agentId) ? 'loaded' : 'unknown'),
      (error: Error) => {
        const busy = error instanceof ConfigUnavailableError;
        this.metrics.miss('feedback', busy ? 'busy' : 'error');
        if (!busy) this.logger.warn(`loading agent ${agentId} for its feedback failed (${error.message})`);
      },
    );
  }

  /**
   * A load that began after this call: one in flight may have read Postgres before the write the
   * caller saw committed, so when it brings nothing the caller waits for the next one.
   */
  private async loadFresh(agentId: string): Promise<void> {
    const inFlight = this.loading.get(agentId);
    if (inFlight) {
      await inFlight.catch(() => undefined);
      if (this.agents.has(agentId)) return;
    }
    await this.missLoad(agentId);
  }

  /** loadAgent for a miss: joins the agent's load in flight, or starts one if fewer than CONFIG_MISS_MAX_LOADS run. */
  private missLoad(agentId: string): Promise<void> {
    const running = this.loading.get(agentId);
    if (running) return running;
    if (this.missLoads >= this.maxMissLoads)
      return Promise.reject(
        new ConfigUnavailableError(agentId, `${this.missLoads} lookups of uncached agents are running`),
      );
    this.missLoads++;
    return this.loadAgent(agentId).then(
      () => {
        this.missLoads--;
        this.metrics.missLoads.inc({ result: this.agents.has(agentId) ? 'found' : 'unknown' });
      },
      (error: unknown) => {
        this.missLoads--;
        this.metrics.missLoads.inc({ result: 'error' });
        throw error;
      },
    );
  }

  /**
   * One load per agent at a time; callers that need a newer version than it brings load again.
   * An agent Postgres does not have (and the cache did not hold) is remembered as unknown.
   */
  private loadAgent(agentId: string): Promise<void> {
    let running = this.loading.get(agentId);
    if (!running) {
      running = this.store
        .loadLiveState(agentId)
        .then((state) => {
          if (state) this.put(state);
          else if (!this.agents.has(agentId)) this.unknown.add(agentId);
        })
        .finally(() => this.loading.delete(agentId));
      this.loading.set(agentId, running);
    }
    return running;
  }

  /**
   * Takes a state unless the cache holds it or a newer one: versions only move forward, so a
   * late message or a load that read Postgres before a change can never undo it. `via` observes
   * propagation for a change found without its message.
   */
  private put(state: AgentLiveState, via?: CacheUpdateVia): void {
    this.unknown.delete(state.agentId);
    if (this.versionOf(state.agentId) >= state.version) return;
    const serve = (arm: Arm, revision: LiveRevision) => served(state, arm, revision);
    this.agents.set(state.agentId, {
      state,
      stable: serve('stable', state.stable),
      canary: state.rollout ? serve('canary', state.rollout.candidate) : null,
      loadedAt: Date.now(),
    });
    this.metrics.agents.set(this.agents.size);
    this.feedbackMetrics.retain(state.agentId, liveArms(state));
    if (via) this.metrics.propagation.observe({ via }, secondsSince(state.updatedAt.toISOString()));
  }

  private evictMissing(present: ReadonlySet<string>, snapshotAt: number): void {
    for (const [id, cached] of this.agents) {
      if (present.has(id) || cached.loadedAt >= snapshotAt) continue;
      this.agents.delete(id);
      this.feedbackMetrics.forget(id);
      this.metrics.forgetAgent(id);
      for (const listener of this.droppedListeners) listener(id);
    }
    this.metrics.agents.set(this.agents.size);
  }

  private versionOf(agentId: string): number {
    return this.agents.get(agentId)?.state.version ?? 0;
  }

  /**
   * One reload at a time. A periodic resync adds nothing to one in flight; a reconnect's full
   * reload runs after it, since that one may have looked at Postgres before the lost changes.
   */
  private background(trigger: 'resync' | 'reconnect', run: () => Promise<void>): Promise<void> {
    if (this.reloading && trigger === 'resync') return this.reloading;
    const next: Promise<void> = (this.reloading ?? Promise.resolve())
      .then(run)
      .catch((error: Error) => {
        this.metrics.reloadErrors.inc({ trigger });
        this.logger.warn(`config cache ${trigger} failed (${error.message}); serving what it has`);
      })
      .finally(() => {
        if (this.reloading === next) this.reloading = undefined;
      });
    this.reloading = next;
    return next;
  }
}

function served(state: AgentLiveState, arm: Arm, revision: LiveRevision): ServedConfig {
  const response: AgentConfigResponse = {
    agent_id: state.agentId,
    revision_id: revision.revisionId,
    rollout_id: state.rollout?.rolloutId ?? null,
    arm,
    config: revision.config,
  };
  const body = JSON.stringify(response);
  return {
    arm,
    revisionId: revision.revisionId,
    body,
    etag: etagOf(body),
    dynamicExamples: revision.config.dynamic_examples,
  };
}

/** A strong ETag of a response body. */
export function etagOf(body: string): string {
  return `"${createHash('sha1').update(body).digest('base64url')}"`;
}

function liveArms(state: AgentLiveState): Map<string, ServedArm> {
  const arms = new Map<string, ServedArm>([[state.stable.revisionId, 'stable']]);
  if (state.rollout) arms.set(state.rollout.candidate.revisionId, 'canary');
  return arms;
}

function secondsSince(isoTime: string): number {
  return Math.max(0, (Date.now() - Date.parse(isoTime)) / 1000);
}
