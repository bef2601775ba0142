import { ConfigClient, type ConfigOptions, type ConfigRequest, type ConfigResult } from './config-client';
import type { MetaloopError } from './errors';
import { FeedbackSender, type FeedbackOptions } from './feedback-sender';
import { Http, type FetchLike } from './http';
import { emptyStats, type Stats } from './stats';
import type { FeedbackEvent, SystemMetric } from './wire';

export const SDK_VERSION = '0.1.0';

export interface MetaloopClientOptions {
  /** feedback-api, e.g. http://127.0.0.1:8091 (agents talk to the data plane only). */
  baseUrl: string;
  /** An API key with `config:read` and `feedback:write` (none needed while the mesh runs without keys). */
  apiKey?: string;
  config?: ConfigOptions;
  feedback?: FeedbackOptions;
  /** Told of every event dropped, system metric given up and config call metaloop failed; must not throw. */
  onError?: (error: MetaloopError) => void;
  /** The fetch to use (default: the runtime's global fetch). */
  fetch?: FetchLike;
}

/**
 * The agent's side of metaloop: `config()` for the config a session runs with, `feedback()` and
 * `systemMetric()` to report, `flush()`/`close()` at shutdown, `stats()` to see what it did.
 * Nothing here throws into the agent's request path unless `config.throwOnError` asks for it.
 */
export class MetaloopClient {
  private readonly counters: Stats = emptyStats();
  private readonly configs: ConfigClient;
  private readonly sender: FeedbackSender;

  constructor(options: MetaloopClientOptions) {
    const fetchImpl = options.fetch ?? (globalThis.fetch as unknown as FetchLike | undefined);
    if (!fetchImpl) throw new TypeError('no fetch in this runtime: pass options.fetch');
    const http = new Http(options.baseUrl, options.apiKey, fetchImpl, `metaloop-sdk-ts/${SDK_VERSION}`);
    const userOnError = options.onError;
    const onError = (error: MetaloopError) => {
      try {
        userOnError?.(error);
      } catch {
        // A hook that throws must not break the SDK's bookkeeping.
      }
    };
    this.configs = new ConfigClient(http, this.counters, onError, options.config);
    this.sender = new FeedbackSender(http, this.counters, onError, options.feedback);
  }

  /**
   * The config this session runs with (its sticky arm): from memory while fresh, revalidated
   * with If-None-Match after `maxAgeMs`, and the last known one (`stale: true` and the `reason`)
   * when metaloop is unreachable or slower than `timeoutMs`.
   */
  config(agentId: string, request: ConfigRequest): Promise<ConfigResult> {
    return this.configs.config(agentId, request);
  }

  /** Queues one feedback event for a bulk request; returns its `event_id` (assigned, UUIDv7, when absent). */
  feedback(event: FeedbackEvent): string {
    return this.sender.feedback(event);
  }

  /** Sends one system metric (`POST /api/v1/feedback/system/metric`) in the background. */
  systemMetric(metric: SystemMetric): void {
    this.sender.systemMetric(metric);
  }

  /** Sends what is buffered; true once all of it was answered, false after `timeoutMs`. */
  flush(timeoutMs?: number): Promise<boolean> {
    return this.sender.flush(timeoutMs);
  }

  /** Flushes, then drops (counting them as `closed`) events still buffered; call it at shutdown. */
  close(timeoutMs?: number): Promise<boolean> {
    return this.sender.close(timeoutMs);
  }

  stats(): Stats {
    return { ...this.counters };
  }
}
