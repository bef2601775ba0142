import { backoffDelay, parseRetryAfter } from './backoff';
import { MetaloopError } from './errors';
import { describeError, unref, type Http } from './http';
import type { Stats } from './stats';
import type { AgentConfig, ServedConfig } from './wire';

export interface ConfigOptions {
  /** How long a fetched config is served from memory without asking metaloop again, in ms (default 5,000; 0 revalidates on every call). */
  maxAgeMs?: number;
  /** The most a config call waits for metaloop before answering from the cache, in ms (default 1,000). */
  timeoutMs?: number;
  /** A revalidation that outlives `timeoutMs` keeps going in the background up to this, then is abandoned, in ms (default 10,000). */
  requestTimeoutMs?: number;
  /** Configs kept (one per agent, session, subject and query), least recently used dropped first (default 10,000). */
  cacheSize?: number;
  /** After metaloop failed (unreachable, 5xx, 429), calls answer from the cache without trying again for this long at first, doubling up to 30 s, or as Retry-After says (default 1,000). */
  retryAfterFailureMs?: number;
  /** Throw a MetaloopError instead of answering stale or without a config (default false: never throws). */
  throwOnError?: boolean;
  /** What to answer for an agent metaloop never served this process, while it cannot be reached. */
  fallback?: AgentConfig | ((agentId: string) => AgentConfig | undefined);
}

export interface ConfigRequest {
  sessionId: string;
  /** The end user: their memory and persona come as `served.subject_context`. */
  subjectId?: string;
  /** The text the agent is about to answer: with dynamic_examples, the examples most like it come as `served.examples_retrieved`. */
  query?: string;
}

/** What `config()` answers. Read-only: a cache hit hands out the same object each time. */
export interface ConfigResult {
  /** The config to run with; undefined only when nothing was ever served for the agent and no fallback is set. */
  readonly config: AgentConfig | undefined;
  /** The whole answer (revision, rollout, sticky arm, examples, subject context); undefined when from the fallback or nothing. */
  readonly served: ServedConfig | undefined;
  /** True when metaloop could not confirm it now: the last known config (or the fallback) is served. */
  readonly stale: boolean;
  /** Why it is stale. */
  readonly reason?: string;
}

interface Entry {
  result: ConfigResult;
  etag: string | undefined;
  validatedAt: number;
}

const POST_QUERY_OVER = 2_000;

/** A bounded map that forgets the least recently used key first. */
class Lru<V> {
  private readonly map = new Map<string, V>();
  constructor(private readonly size: number) {}

  get(key: string): V | undefined {
    const value = this.map.get(key);
    if (value !== undefined) {
      this.map.delete(key);
      this.map.set(key, value);
    }
    return value;
  }

  set(key: string, value: V): void {
    this.map.delete(key);
    this.map.set(key, value);
    if (this.map.size > this.size) this.map.delete(this.map.keys().next().value!);
  }
}

/**
 * Agent configs with ETag revalidation: served from memory while fresh, revalidated with
 * If-None-Match (a 304 costs no body) after `maxAgeMs`, and the last known config — of this
 * session, else the agent's last stable one, else the fallback — when metaloop is down or slower
 * than the budget. One revalidation per key at a time; the session's arm is the one feedback-api
 * gave it, so a session keeps its arm for as long as its rollout does.
 */
export class ConfigClient {
  private readonly entries: Lru<Entry>;
  /** Per agent, the last stable-arm answer: what a session never seen gets while metaloop is down. */
  private readonly lastStable: Lru<ServedConfig>;
  private readonly maxAgeMs: number;
  private readonly timeoutMs: number;
  private readonly requestTimeoutMs: number;
  private readonly retryAfterFailureMs: number;
  private readonly throwOnError: boolean;
  private readonly fallback: ConfigOptions['fallback'];
  /** The request under way per key: concurrent calls for one key share it. */
  private readonly inflight = new Map<string, Promise<void>>();
  private downUntil = 0;
  private failures = 0;
  private lastFailure = '';

  constructor(
    private readonly http: Http,
    private readonly stats: Stats,
    private readonly onError: (error: MetaloopError) => void,
    options: ConfigOptions = {},
  ) {
    this.maxAgeMs = options.maxAgeMs ?? 5_000;
    this.timeoutMs = options.timeoutMs ?? 1_000;
    this.requestTimeoutMs = Math.max(options.requestTimeoutMs ?? 10_000, this.timeoutMs);
    this.retryAfterFailureMs = options.retryAfterFailureMs ?? 1_000;
    this.throwOnError = options.throwOnError ?? false;
    this.fallback = options.fallback;
    this.entries = new Lru(options.cacheSize ?? 10_000);
    this.lastStable = new Lru(Math.min(options.cacheSize ?? 10_000, 10_000));
  }

  config(agentId: string, request: ConfigRequest): Promise<ConfigResult> {
    try {
      return this.lookup(agentId, request);
    } catch (error) {
      // Whatever goes wrong (a fetch that throws at once, a bad argument), the agent gets an answer.
      return this.unavailable(agentId, undefined, describeError(error));
    }
  }

  private lookup(agentId: string, request: ConfigRequest): Promise<ConfigResult> {
    this.stats.configCalls++;
    const key = `${agentId}\u0000${request.sessionId}\u0000${request.subjectId ?? ''}\u0000${request.query ?? ''}`;
    const entry = this.entries.get(key);
    const now = Date.now();
    if (entry && now - entry.validatedAt < this.maxAgeMs) {
      this.stats.configCacheHits++;
      return Promise.resolve(entry.result);
    }
    if (now < this.downUntil) return this.unavailable(agentId, entry, `metaloop unavailable (${this.lastFailure})`);
    return this.revalidate(agentId, key, entry, request);
  }

  private async revalidate(
    agentId: string,
    key: string,
    entry: Entry | undefined,
    request: ConfigRequest,
  ): Promise<ConfigResult> {
    let failure: string | undefined;
    const inflight = this.inflight.get(key) ?? this.fetch(agentId, key, entry, request);
    let timer: ReturnType<typeof setTimeout> | undefined;
    const budget = new Promise<'timeout'>((resolve) => {
      timer = setTimeout(() => resolve('timeout'), this.timeoutMs);
      unref(timer);
    });
    try {
      const outcome = await Promise.race([
        inflight.then(
          () => 'done' as const,
          (error: unknown) => {
            failure = error instanceof MetaloopError ? error.message : describeError(error);
            return 'failed' as const;
          },
        ),
        budget,
      ]);
      if (outcome === 'timeout') {
        this.stats.configTimeouts++;
        failure = `no answer within ${this.timeoutMs} ms`;
      }
    } finally {
      clearTimeout(timer);
    }
    const current = this.entries.get(key);
    if (failure === undefined && current) return current.result;
    return this.unavailable(agentId, current ?? entry, failure ?? 'no config');
  }

  /** One request for the key; the cache entry is updated when it answers, even after the caller stopped waiting. */
  private fetch(agentId: string, key: string, entry: Entry | undefined, request: ConfigRequest): Promise<void> {
    const path = `/api/v1/agents/${encodeURIComponent(agentId)}/config`;
    const headers: Record<string, string> = entry?.etag ? { 'if-none-match': entry.etag } : {};
    const params = { session_id: request.sessionId, subject_id: request.subjectId, query: request.query };
    const long = (request.query?.length ?? 0) > POST_QUERY_OVER;
    const search = new URLSearchParams();
    for (const [name, value] of Object.entries(params)) if (value !== undefined) search.set(name, value);
    const answer = long
      ? this.http.request('POST', path, this.requestTimeoutMs, { body: params, headers })
      : this.http.request('GET', `${path}?${search.toString()}`, this.requestTimeoutMs, { headers });
    const done = answer
      .then(async (response) => {
        if (response.status === 304 && entry) {
          this.stats.notModified++;
          entry.validatedAt = Date.now();
          this.entries.set(key, entry);
          this.recovered();
          return;
        }
        const text = await response.text();
        if (response.status === 200) {
          const served = JSON.parse(text) as ServedConfig;
          this.stats.configFetched++;
          this.entries.set(key, {
            result: Object.freeze({ config: served.config, served, stale: false }),
            etag: response.headers.get('etag') ?? undefined,
            validatedAt: Date.now(),
          });
          if (served.arm === 'stable') this.lastStable.set(agentId, served);
          this.recovered();
          return;
        }
        const transient = response.status === 429 || response.status >= 500;
        const message = `config of ${agentId}: HTTP ${response.status}${problemDetail(text)}`;
        if (transient) this.failed(message, parseRetryAfter(response.headers.get('retry-after')));
        throw new MetaloopError('config', message, { status: response.status });
      })
      .catch((error: unknown) => {
        if (error instanceof MetaloopError) throw error;
        const message = `config of ${agentId}: ${describeError(error)}`;
        this.failed(message);
        throw new MetaloopError('config', message, { cause: error });
      })
      .finally(() => this.inflight.delete(key));
    this.inflight.set(key, done);
    // A caller that stopped waiting (timeout budget) leaves no unhandled rejection behind.
    done.catch(() => undefined);
    return done;
  }

  private failed(message: string, retryAfterMs?: number): void {
    this.failures++;
    this.lastFailure = message;
    const wait = backoffDelay(this.failures, { baseMs: this.retryAfterFailureMs, maxMs: 30_000 }, retryAfterMs);
    this.downUntil = Date.now() + wait;
  }

  private recovered(): void {
    this.failures = 0;
    this.downUntil = 0;
  }

  /** The last known config, saying it is stale; or throws, when asked to. */
  private unavailable(agentId: string, entry: Entry | undefined, reason: string): Promise<ConfigResult> {
    this.stats.configErrors++;
    const error = new MetaloopError('config', reason);
    if (this.throwOnError) return Promise.reject(error);
    this.onError(error);
    const served = entry?.result.served ?? this.lastStable.get(agentId);
    if (served) {
      this.stats.staleServes++;
      return Promise.resolve({ config: served.config, served, stale: true, reason });
    }
    const fallback = typeof this.fallback === 'function' ? this.fallback(agentId) : this.fallback;
    if (fallback) this.stats.staleServes++;
    return Promise.resolve({ config: fallback, served: undefined, stale: true, reason });
  }
}

function problemDetail(text: string): string {
  try {
    const problem = JSON.parse(text) as { detail?: string; title?: string };
    const detail = problem.detail ?? problem.title;
    return detail ? `: ${detail}` : '';
  } catch {
    return '';
  }
}
