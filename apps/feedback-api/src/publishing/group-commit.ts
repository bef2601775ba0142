export type EnvelopeType = 'feedback' | 'system';

/** What a batch carries: the item's JSON, plus whatever the publisher wants back. */
export interface BatchItem {
  json: string;
}

export interface GroupCommitOptions<T extends BatchItem> {
  /** How long the first item of a batch waits for more; 0 = until the current event-loop turn ends. */
  lingerMs: number;
  maxItems: number;
  maxBytes: number;
  /** Makes one batch durable (one publish, one ack); every item of it shares the outcome. */
  publish: (subject: string, type: EnvelopeType, items: readonly T[]) => Promise<void>;
}

interface Batch<T> {
  subject: string;
  type: EnvelopeType;
  items: T[];
  bytes: number;
  waiters: Array<{ resolve: () => void; reject: (error: unknown) => void }>;
}

/**
 * Group commit: items submitted while a batch lingers are published together, so one
 * JetStream ack answers many requests. A batch leaves when the linger ends or it is full;
 * nothing waits longer than the linger plus one publish. Batches are per subject, because a
 * message has one subject; several batches are in flight at once.
 */
export class GroupCommit<T extends BatchItem> {
  private readonly open = new Map<string, Batch<T>>();
  private readonly inFlight = new Set<Promise<void>>();
  private timer: NodeJS.Timeout | NodeJS.Immediate | undefined;

  constructor(private readonly options: GroupCommitOptions<T>) {}

  /** Resolves once the item's batch is durable; rejects with the publish error otherwise. */
  submit(subject: string, type: EnvelopeType, item: T): Promise<void> {
    let batch = this.open.get(subject);
    if (batch && batch.bytes + item.json.length > this.options.maxBytes) {
      this.send(batch);
      batch = undefined;
    }
    if (!batch) {
      batch = { subject, type, items: [], bytes: 0, waiters: [] };
      this.open.set(subject, batch);
    }
    const done = new Promise<void>((resolve, reject) => batch.waiters.push({ resolve, reject }));
    batch.items.push(item);
    batch.bytes += item.json.length + 1;
    if (batch.items.length >= this.options.maxItems) this.send(batch);
    else this.timer ??= this.schedule();
    return done;
  }

  /** Sends what lingers and waits for every publish in flight (graceful shutdown). */
  async drain(): Promise<void> {
    this.sendAll();
    await Promise.allSettled([...this.inFlight]);
  }

  private schedule(): NodeJS.Timeout | NodeJS.Immediate {
    return this.options.lingerMs === 0
      ? setImmediate(() => this.sendAll())
      : setTimeout(() => this.sendAll(), this.options.lingerMs);
  }

  private sendAll(): void {
    this.timer = undefined;
    for (const batch of [...this.open.values()]) this.send(batch);
  }

  private send(batch: Batch<T>): void {
    this.open.delete(batch.subject);
    const publishing = this.options.publish(batch.subject, batch.type, batch.items).then(
      () => batch.waiters.forEach((w) => w.resolve()),
      (error: unknown) => batch.waiters.forEach((w) => w.reject(error)),
    );
    this.inFlight.add(publishing);
    void publishing.finally(() => this.inFlight.delete(publishing));
  }
}
