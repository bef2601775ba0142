import { Inject, Injectable, Logger, type OnApplicationShutdown, type OnModuleInit } from '@nestjs/common';
import { ConfigService } from '@nestjs/config';
import { PrismaService } from '@metaloop/db';
import type { ExamplesChangedMessage, RetrievedExample } from '@metaloop/contracts';
import { ExampleIndex, type Embedder } from '@metaloop/examples';
import type { Env } from '../config/env.schema';
import { ExamplesMetrics } from './examples.metrics';

/** The Nest token of the app's embedder (built from EXAMPLES_EMBEDDER_*). */
export const EMBEDDER = Symbol('EMBEDDER');

interface StoredExample {
  input: string;
  output: string;
  quality: number;
}

interface AgentExamples {
  /** Created with the dimension of the first vector seen (an endpoint's model decides it). */
  index?: ExampleIndex<StoredExample>;
  /** The newest updated_at read, where an incremental refresh starts (less a margin). */
  cursor: Date;
}

/** Rows committed by a transaction that began before the cursor's row may still appear: reread this far back. */
const CURSOR_MARGIN_MS = 5_000;

/**
 * Each agent's active examples in memory, for retrieval on the config path. An agent is loaded
 * from Postgres when first asked for (only examples of this app's embedder: vectors of another
 * are not comparable); `examples.changed` refreshes it (what changed since the last read, or
 * all of it when rows were deleted), and every EXAMPLES_RESYNC_MS every loaded agent is read
 * again in full, so a lost message only delays. One load or refresh per agent at a time.
 */
@Injectable()
export class ExampleStore implements OnModuleInit, OnApplicationShutdown {
  private readonly logger = new Logger(ExampleStore.name);
  private readonly agents = new Map<string, AgentExamples>();
  /** The agent's load or refresh in flight; the next one chains after it. */
  private readonly work = new Map<string, Promise<void>>();
  private timer?: NodeJS.Timeout;

  constructor(
    private readonly prisma: PrismaService,
    private readonly metrics: ExamplesMetrics,
    private readonly config: ConfigService<Env, true>,
    @Inject(EMBEDDER) readonly embedder: Embedder,
  ) {}

  onModuleInit(): void {
    this.timer = setInterval(() => void this.resyncAll(), this.config.get('EXAMPLES_RESYNC_MS', { infer: true }));
    this.timer.unref();
  }

  onApplicationShutdown(): void {
    clearInterval(this.timer);
  }

  /**
   * The k examples most similar to `query` (cosine ≥ minSimilarity), most similar first. Rejects
   * with ExamplesUnavailableError (503) when the examples cannot be read or the query not embedded.
   */
  async search(agentId: string, query: string, k: number, minSimilarity: number): Promise<RetrievedExample[]> {
    const unavailable = (what: string) => (error: Error) => {
      this.logger.warn(`${what} for agent ${agentId} failed (${error.message})`);
      throw new ExamplesUnavailableError(agentId);
    };
    if (!this.agents.has(agentId))
      await this.schedule(agentId, () => this.load(agentId, 'miss')).catch(unavailable('loading examples'));
    const index = this.agents.get(agentId)?.index;
    if (!index || index.size === 0) return [];
    const [vector] = await this.embedder.embed([query]).catch(unavailable('embedding the query'));
    if (!vector || vector.length !== index.dimensions) return [];
    const started = performance.now();
    const hits = index.search(vector, k, minSimilarity);
    this.metrics.searchDuration.observe((performance.now() - started) / 1000);
    return hits.map(({ id, similarity, item }) => ({ id, similarity, ...item }));
  }

  /** Counts what one config fetch brought back (after max_chars), for metaloop_examples_retrieved_per_fetch. */
  observeRetrieved(count: number): void {
    this.metrics.retrievedPerFetch.observe(count);
  }

  /** `examples.changed`: refreshes an agent already in memory; one never asked for is loaded when it is. */
  async onChanged(message: ExamplesChangedMessage): Promise<void> {
    if (!this.agents.has(message.agent_id)) return;
    await this.schedule(message.agent_id, () =>
      message.removed ? this.load(message.agent_id, 'message') : this.refresh(message.agent_id),
    ).catch((error: Error) =>
      this.logger.warn(`examples of ${message.agent_id} not refreshed (${error.message}); the next resync retries`),
    );
  }

  private async resyncAll(): Promise<void> {
    for (const agentId of this.agents.keys())
      await this.schedule(agentId, () => this.load(agentId, 'resync')).catch((error: Error) =>
        this.logger.warn(`examples of ${agentId} not reloaded (${error.message})`),
      );
  }

  private schedule(agentId: string, run: () => Promise<void>): Promise<void> {
    const next = (this.work.get(agentId) ?? Promise.resolve()).catch(() => undefined).then(run);
    const tracked = next.finally(() => {
      if (this.work.get(agentId) === tracked) this.work.delete(agentId);
    });
    this.work.set(agentId, tracked);
    return tracked;
  }

  /** Reads every active example of the agent into a fresh index, then swaps it in. */
  private async load(agentId: string, via: 'miss' | 'message' | 'resync'): Promise<void> {
    const rows = await this.prisma.example.findMany({
      where: { agentId, demotedAt: null, embedder: this.embedder.name },
      select: { id: true, input: true, output: true, quality: true, embedding: true, updatedAt: true },
    });
    const entry: AgentExamples = { cursor: new Date(0) };
    for (const row of rows) this.put(entry, row);
    this.agents.set(agentId, entry);
    this.metrics.loads.inc({ via });
    this.metrics.examples.set(this.total());
  }

  /** Applies what changed since the cursor: new or better examples in, demoted ones out. */
  private async refresh(agentId: string): Promise<void> {
    const entry = this.agents.get(agentId);
    if (!entry) return;
    const rows = await this.prisma.example.findMany({
      where: { agentId, updatedAt: { gte: new Date(entry.cursor.getTime() - CURSOR_MARGIN_MS) } },
      select: {
        id: true,
        input: true,
        output: true,
        quality: true,
        embedding: true,
        updatedAt: true,
        demotedAt: true,
        embedder: true,
      },
    });
    for (const row of rows) {
      if (row.demotedAt || row.embedder !== this.embedder.name) entry.index?.remove(row.id);
      else this.put(entry, row);
    }
    this.metrics.loads.inc({ via: 'refresh' });
    this.metrics.examples.set(this.total());
  }

  private put(
    entry: AgentExamples,
    row: { id: string; input: string; output: string; quality: number; embedding: number[]; updatedAt: Date },
  ): void {
    if (row.updatedAt > entry.cursor) entry.cursor = row.updatedAt;
    if (row.embedding.length === 0) return;
    entry.index ??= new ExampleIndex<StoredExample>(row.embedding.length);
    if (row.embedding.length !== entry.index.dimensions) return;
    entry.index.add(row.id, row.embedding, { input: row.input, output: row.output, quality: row.quality });
  }

  private total(): number {
    let total = 0;
    for (const entry of this.agents.values()) total += entry.index?.size ?? 0;
    return total;
  }
}

/** The examples of an agent cannot be read now (Postgres or the embedder failed): 503, retry shortly. */
export class ExamplesUnavailableError extends Error {
  readonly httpStatus = 503;
  readonly retryAfterSeconds = 1;

  constructor(agentId: string) {
    super(`the examples of agent "${agentId}" cannot be read now; retry shortly`);
    this.name = 'ExamplesUnavailableError';
  }
}
