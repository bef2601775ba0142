import type { MetaloopClient } from '../api/client';
import type { TickResult } from '../api/wire';

export interface TickRecord {
  /** When the call was made (epoch ms). */
  at: number;
  /** The round trip, ms. */
  clientMs: number;
  /** finished_at − started_at as the tick reported them, ms. */
  serverMs: number | null;
  status: string;
  summary: string;
  result: TickResult | null;
  error?: string;
}

export interface TickerOptions {
  intervalMs: number;
  /** `time_window_hours` of every tick (the tick accepts ≥ 0.05). */
  windowHours: number;
  /** Runs after every tick, before the next one is due (e.g. the stalled-findings check). */
  afterTick?: (record: TickRecord) => Promise<void> | void;
}

/**
 * The operator's scheduler: `POST /api/v1/oracle/tick` every interval (measured from one call's
 * start to the next; a tick that takes longer is followed at once), recording each answer.
 */
export class Ticker {
  readonly records: TickRecord[] = [];
  private running = false;
  private loop: Promise<void> | undefined;
  private wake: (() => void) | undefined;

  constructor(
    private readonly client: MetaloopClient,
    private readonly options: TickerOptions,
  ) {}

  start(): void {
    this.running = true;
    this.loop = this.run();
  }

  /** Stops after the tick in flight (and its afterTick) finished. */
  async stop(): Promise<void> {
    this.running = false;
    this.wake?.();
    await this.loop;
  }

  private async run(): Promise<void> {
    while (this.running) {
      const at = Date.now();
      const record = await this.tick(at);
      this.records.push(record);
      await this.options.afterTick?.(record);
      const wait = this.options.intervalMs - (Date.now() - at);
      if (wait > 0 && this.running)
        await new Promise<void>((resolve) => ((this.wake = resolve), setTimeout(resolve, wait)));
    }
  }

  private async tick(at: number): Promise<TickRecord> {
    try {
      const result = await this.client.tick(this.options.windowHours);
      const serverMs = Date.parse(result.finished_at) - Date.parse(result.started_at);
      return {
        at,
        clientMs: Date.now() - at,
        serverMs: Number.isFinite(serverMs) ? serverMs : null,
        status: result.status,
        summary: result.summary,
        result,
      };
    } catch (error) {
      const message = error instanceof Error ? error.message : String(error);
      return {
        at,
        clientMs: Date.now() - at,
        serverMs: null,
        status: 'error',
        summary: message,
        result: null,
        error: message,
      };
    }
  }
}
