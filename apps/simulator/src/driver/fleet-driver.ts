import { ApiError, type MetaloopClient } from '../api/client';
import type { FeedbackEvent } from '../api/wire';
import { spread, type Spread } from '../report/figures';
import { QualitySeries } from '../report/quality-series';
import { qualityOf, type AgentTruth, type Fleet } from '../truth/fleet';
import { streamRandom } from '../truth/random';
import { fleetRate, SessionClock, type DiurnalLoad } from '../users/load';
import { DEFAULT_USER_MODEL, interact, type UserModel } from '../users/user-model';

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
  /** Sessions and canary sessions per agent, by the fleet's agent index. */
  perAgent: Array<{ sessions: number; canary: number }>;
  /** Round trips of the config fetch and of the feedback post, ms (the latest 100,000 of each). */
  latencyMs: { config: Spread; collect: Spread };
}

const SCHEDULE_MS = 20;
const BULK_FLUSH_MS = 100;
const BULK_MAX = 500;

/**
 * The agents' runtimes: every due session fetches its config from feedback-api (its sticky arm),
 * "runs" with it — the truth of the served prompt decides how the user's interaction went — and
 * posts the user's feedback with an event id; feedback-api fills in the revision from the arm.
 */
export class FleetDriver {
  readonly series: QualitySeries;
  /** rollout id → when a session was first served its canary (epoch ms). */
  readonly firstCanaryAt = new Map<string, number>();
  /** revision id → the prompt version it serves. */
  readonly promptOfRevision = new Map<string, string>();
  private readonly model: UserModel;
  private readonly clock: SessionClock;
  private readonly nextIndex: number[];
  private readonly latency = { config: new Reservoir(100_000), collect: new Reservoir(100_000) };
  private readonly stats: Omit<DriverStats, 'elapsed' | 'perAgent' | 'latencyMs'> = {
    sessions: 0,
    completed: 0,
    canary: 0,
    shed: 0,
    errors: {},
    unknownVersions: {},
  };
  private readonly perAgent: Array<{ sessions: number; canary: number }>;
  private readonly inFlight = new Set<Promise<void>>();
  private startedAt = 0;
  private lastScheduleAt = 0;
  private timer: NodeJS.Timeout | undefined;
  private flushTimer: NodeJS.Timeout | undefined;
  private pending: FeedbackEvent[] = [];

  constructor(private readonly options: DriverOptions) {
    this.series = new QualitySeries(options.windowSeconds);
    this.model = options.userModel ?? DEFAULT_USER_MODEL;
    this.clock = new SessionClock(options.fleet.agents.map((a) => a.weight));
    this.nextIndex = options.fleet.agents.map(() => 0);
    this.perAgent = options.fleet.agents.map(() => ({ sessions: 0, canary: 0 }));
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
    this.stats.sessions++;
    let phase = 'config';
    try {
      const asked = performance.now();
      const served = await this.options.client.config(agent.agentId, sessionId);
      this.latency.config.add(performance.now() - asked);
      const version = served.config.prompt.version;
      this.promptOfRevision.set(served.revision_id, version);
      const now = Date.now();
      this.perAgent[agent.index]!.sessions++;
      if (served.arm === 'canary' && served.rollout_id) {
        this.stats.canary++;
        this.perAgent[agent.index]!.canary++;
        if (!this.firstCanaryAt.has(served.rollout_id)) this.firstCanaryAt.set(served.rollout_id, now);
      }
      let quality = qualityOf(agent, version);
      if (quality === undefined) {
        this.stats.unknownVersions[version] = (this.stats.unknownVersions[version] ?? 0) + 1;
        quality = agent.stable.quality;
      }
      // The user's draws are a function of (seed, agent, session index) alone.
      const interaction = interact(quality, streamRandom(this.options.fleet.seed, agent.index, index), this.model);
      this.series.add((now - this.startedAt) / 1000, agent.kind, quality, served.arm === 'canary');
      const event: FeedbackEvent = {
        event_id: sessionId,
        agent_id: agent.agentId,
        session_id: sessionId,
        explicit: interaction.explicit,
        implicit: interaction.implicit,
        ...(interaction.tags && { tags: interaction.tags }),
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
