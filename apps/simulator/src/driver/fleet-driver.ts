import { ApiError, type MetaloopClient } from '../api/client';
import type { FeedbackEvent, ServedConfig } from '../api/wire';
import { spread, type Spread } from '../report/figures';
import { QualitySeries } from '../report/quality-series';
import { qualityOf, type AgentTruth, type Fleet } from '../truth/fleet';
import { fleetRate, SessionClock, type DiurnalLoad } from '../users/load';
import { DEFAULT_USER_MODEL, type UserModel } from '../users/user-model';
import { playSession, sessionQuery } from './session';

export interface DriverOptions {
  client: MetaloopClient;
  fleet: Fleet;
  load: DiurnalLoad;
  /** Part of every session and event id: unique per run, so reruns never collide. */
  runTag: string;
  userModel?: UserModel;
  /** Sessions in flight at most; beyond it a due session is shed (and counted). */
  maxInFlight: number;
  /** Post feedback in batches (`collect/bulk`, flushed every 100 ms) instead of one request per session. */
  bulk?: boolean;
  /** Width of the true-quality windows, seconds. */
  windowSeconds: number;
  /** The stand-in trainer (trainer/stand-in-trainer.ts): a served config with one of its adapters attached has the adapter's quality. */
  trainer?: { qualityOf(attached: readonly string[]): number | undefined };
}

export interface DriverStats {
  /** Seconds since the driver started. */
  elapsed: number;
  sessions: number;
  completed: number;
  canary: number;
  shed: number;
  errors: Record<string, number>;
  /** Served prompt versions the ground truth does not know (should stay empty). */
  unknownVersions: Record<string, number>;
  /** Per agent, by the fleet's agent index: sessions, canary sessions, sessions whose config brought examples, and those helped by them. */
  perAgent: AgentTraffic[];
  /** false when feedback-api refused the config fetch's `query` (a mesh without retrieval): sessions then fetch without it. */
  queryAccepted: boolean;
  /** Round trips of the config fetch and of the feedback post, ms (the latest 100,000 of each). */
  latencyMs: { config: Spread; collect: Spread };
}

export interface AgentTraffic {
  sessions: number;
  canary: number;
  /** Sessions whose config fetch returned examples. */
  retrieved: number;
  /** Sessions among them with an example on their topic with a good answer (lifted). */
  helped: number;
}

const SCHEDULE_MS = 20;
const BULK_FLUSH_MS = 100;
const BULK_MAX = 500;

/**
 * The agents' runtimes: every due session fetches its config from feedback-api (its sticky arm)
 * with its user's query, "runs" with it — the truth of the served prompt, lifted when the
 * retrieved examples hold a good one on the query's topic, decides how the user's interaction
 * went — and posts the user's feedback with an event id (and, for an agent whose runtime reports
 * them, the query and the answer as artifacts); feedback-api fills in the revision from the arm.
 */
export class FleetDriver {
  readonly series: QualitySeries;
  /** rollout id → when a session was first served its canary (epoch ms). */
  readonly firstCanaryAt = new Map<string, number>();
  /** revision id → the prompt version it serves. */
  readonly promptOfRevision = new Map<string, string>();
  /** revision id → its dynamic examples' k (null: off), as sessions were served it. */
  readonly dynamicKOfRevision = new Map<string, number | null>();
  /** True quality per learnable agent (grouped by agent id), for their before and after. */
  readonly learnableSeries: QualitySeries;
  private readonly model: UserModel;
  private readonly clock: SessionClock;
  private readonly nextIndex: number[];
  private readonly latency = { config: new Reservoir(100_000), collect: new Reservoir(100_000) };
  private readonly stats: Omit<DriverStats, 'elapsed' | 'perAgent' | 'latencyMs' | 'queryAccepted'> = {
    sessions: 0,
    completed: 0,
    canary: 0,
    shed: 0,
    errors: {},
    unknownVersions: {},
  };
  private readonly perAgent: AgentTraffic[];
  private queryAccepted = true;
  private readonly inFlight = new Set<Promise<void>>();
  private startedAt = 0;
  private lastScheduleAt = 0;
  private timer: NodeJS.Timeout | undefined;
  private flushTimer: NodeJS.Timeout | undefined;
  private pending: FeedbackEvent[] = [];

  constructor(private readonly options: DriverOptions) {
    this.series = new QualitySeries(options.windowSeconds);
    this.learnableSeries = new QualitySeries(options.windowSeconds);
    this.model = options.userModel ?? DEFAULT_USER_MODEL;
    this.clock = new SessionClock(options.fleet.agents.map((a) => a.weight));
    this.nextIndex = options.fleet.agents.map(() => 0);
    this.perAgent = options.fleet.agents.map(() => ({ sessions: 0, canary: 0, retrieved: 0, helped: 0 }));
  }

  /** Starts the sessions; `startedAt` (epoch ms) is the run's time zero. */
  start(startedAt = Date.now()): void {
    this.startedAt = startedAt;
    this.lastScheduleAt = Date.now();
    this.timer = setInterval(() => this.schedule(), SCHEDULE_MS);
    if (this.options.bulk) this.flushTimer = setInterval(() => void this.flush(), BULK_FLUSH_MS);
  }

  async stop(): Promise<void> {
    clearInterval(this.timer);
    clearInterval(this.flushTimer);
    await Promise.all(this.inFlight);
    await this.flush();
  }

  snapshot(): DriverStats {
    return {
      elapsed: (Date.now() - this.startedAt) / 1000,
      ...this.stats,
      errors: { ...this.stats.errors },
      unknownVersions: { ...this.stats.unknownVersions },
      perAgent: this.perAgent.map((a) => ({ ...a })),
      queryAccepted: this.queryAccepted,
      latencyMs: { config: spread(this.latency.config.values()), collect: spread(this.latency.collect.values()) },
    };
  }

  private schedule(): void {
    const now = Date.now();
    const dt = (now - this.lastScheduleAt) / 1000;
    this.lastScheduleAt = now;
    const due = this.clock.advance(fleetRate(this.options.load, (now - this.startedAt) / 1000), dt);
    due.forEach((count, agentIndex) => {
      for (let k = 0; k < count; k++) {
        const agent = this.options.fleet.agents[agentIndex]!;
        const index = this.nextIndex[agentIndex]++;
        if (this.inFlight.size >= this.options.maxInFlight) {
          this.stats.shed++;
          continue;
        }
        const session = this.session(agent, index).finally(() => this.inFlight.delete(session));
        this.inFlight.add(session);
      }
    });
  }

  private async session(agent: AgentTruth, index: number): Promise<void> {
    const sessionId = `${this.options.runTag}-${agent.index}-${index}`;
    const seed = this.options.fleet.seed;
    this.stats.sessions++;
    let phase = 'config';
    try {
      const query = sessionQuery(seed, agent, index);
      const asked = performance.now();
      const served = await this.fetchConfig(agent.agentId, sessionId, query?.text);
      this.latency.config.add(performance.now() - asked);
      const version = served.config.prompt.version;
      this.promptOfRevision.set(served.revision_id, version);
      this.dynamicKOfRevision.set(served.revision_id, served.config.dynamic_examples?.k ?? null);
      const now = Date.now();
      const traffic = this.perAgent[agent.index]!;
      traffic.sessions++;
      if (served.arm === 'canary' && served.rollout_id) {
        this.stats.canary++;
        traffic.canary++;
        if (!this.firstCanaryAt.has(served.rollout_id)) this.firstCanaryAt.set(served.rollout_id, now);
      }
      let promptQuality = qualityOf(agent, version);
      if (promptQuality === undefined) {
        this.stats.unknownVersions[version] = (this.stats.unknownVersions[version] ?? 0) + 1;
        promptQuality = agent.stable.quality;
      }
      const lora = served.config['lora'];
      const trained = Array.isArray(lora) ? this.options.trainer?.qualityOf(lora as string[]) : undefined;
      if (trained !== undefined) promptQuality = trained;
      const played = playSession({
        seed,
        agent,
        index,
        query,
        promptQuality,
        retrieved: served.examples_retrieved,
        model: this.model,
      });
      if (served.examples_retrieved?.length) traffic.retrieved++;
      if (played.helped) traffic.helped++;
      const seconds = (now - this.startedAt) / 1000;
      this.series.add(seconds, agent.kind, played.quality, served.arm === 'canary');
      if (agent.kind === 'learnable')
        this.learnableSeries.add(seconds, agent.agentId, played.quality, served.arm === 'canary');
      const { interaction } = played;
      const event: FeedbackEvent = {
        event_id: sessionId,
        agent_id: agent.agentId,
        session_id: sessionId,
        explicit: interaction.explicit,
        implicit: interaction.implicit,
        ...(interaction.tags && { tags: interaction.tags }),
        ...(played.artifacts && { artifacts: played.artifacts }),
      };
      phase = 'collect';
      if (this.options.bulk) {
        this.pending.push(event);
        if (this.pending.length >= BULK_MAX) void this.flush();
      } else {
        const posted = performance.now();
        await this.options.client.collect(event);
        this.latency.collect.add(performance.now() - posted);
      }
      this.stats.completed++;
    } catch (error) {
      this.count(phase, error);
    }
  }

  /** The config fetch with the query; a mesh whose feedback-api refuses `query` (no retrieval yet) is asked without it from then on. */
  private async fetchConfig(agentId: string, sessionId: string, query: string | undefined): Promise<ServedConfig> {
    if (query === undefined || !this.queryAccepted) return this.options.client.config(agentId, sessionId);
    try {
      return await this.options.client.config(agentId, sessionId, query);
    } catch (error) {
      if (!(error instanceof ApiError && error.status === 400 && error.body.includes('query'))) throw error;
      this.queryAccepted = false;
      return this.options.client.config(agentId, sessionId);
    }
  }

  private async flush(): Promise<void> {
    const events = this.pending;
    if (events.length === 0) return;
    this.pending = [];
    try {
      const posted = performance.now();
      const results = await this.options.client.collectBulk(events);
      this.latency.collect.add(performance.now() - posted);
      for (const r of results)
        if (r.status !== 'accepted' && r.status !== 'duplicate') this.count('collect', `item ${r.status}`);
    } catch (error) {
      for (let i = 0; i < events.length; i++) this.count('collect', error);
    }
  }

  private count(phase: string, error: unknown): void {
    const key = `${phase}: ${error instanceof ApiError ? (error.status === 0 ? error.body.split(':')[0] : error.status) : String(error)}`;
    this.stats.errors[key] = (this.stats.errors[key] ?? 0) + 1;
  }
}

/** The latest `size` values (a ring), for quantiles without unbounded memory. */
class Reservoir {
  private readonly ring: Float64Array;
  private count = 0;

  constructor(size: number) {
    this.ring = new Float64Array(size);
  }

  add(value: number): void {
    this.ring[this.count++ % this.ring.length] = value;
  }

  values(): number[] {
    return Array.from(this.ring.subarray(0, Math.min(this.count, this.ring.length)));
  }
}
