/**
 * Agent ids Postgres did not know a moment ago (the config cache's negative entries), each for
 * `ttlMs`, at most `maxEntries` of them. Every entry lives equally long, so insertion order is
 * expiry order: the oldest entry is the first to lapse and the first to go when the map is full.
 */
export class UnknownAgents {
  private readonly until = new Map<string, number>();

  constructor(
    private readonly ttlMs: number,
    private readonly maxEntries: number,
    private readonly now: () => number = Date.now,
  ) {}

  has(agentId: string): boolean {
    const until = this.until.get(agentId);
    if (until === undefined) return false;
    if (until > this.now()) return true;
    this.until.delete(agentId);
    return false;
  }

  /** Remembers the id as unknown (a TTL of 0 remembers nothing), dropping lapsed entries and, when full, the oldest. */
  add(agentId: string): void {
    if (this.ttlMs <= 0) return;
    const now = this.now();
    this.until.delete(agentId);
    for (const [id, until] of this.until) {
      if (until > now && this.until.size < this.maxEntries) break;
      this.until.delete(id);
    }
    this.until.set(agentId, now + this.ttlMs);
  }

  delete(agentId: string): void {
    this.until.delete(agentId);
  }

  get size(): number {
    return this.until.size;
  }
}
