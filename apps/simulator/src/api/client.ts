import type {
  AgentConfig,
  AgentView,
  AuditEntry,
  DeployResult,
  FeedbackEvent,
  FindingView,
  OracleStatus,
  PlanView,
  PolicyFigures,
  RevisionView,
  RolloutDetail,
  RolloutView,
  ServedConfig,
  TickResult,
} from './wire';

export interface Endpoints {
  /** feedback-api, e.g. http://127.0.0.1:8091 */
  feedbackUrl: string;
  /** oracle-api, e.g. http://127.0.0.1:8092 */
  oracleUrl: string;
  /** Sent as `Authorization: Bearer` when set. */
  apiKey?: string;
}

/** A non-2xx answer (or no answer), with what was asked and what came back. */
export class ApiError extends Error {
  constructor(
    readonly method: string,
    readonly url: string,
    readonly status: number,
    readonly body: string,
  ) {
    super(`${method} ${url}: ${status === 0 ? 'no answer' : status} ${body.slice(0, 400)}`);
  }
}

const TIMEOUT_MS = 15_000;

/**
 * metaloop's public HTTP API, as an agent runtime (config, feedback) and an operator (registry,
 * tick, read APIs) use it. Node's fetch (undici) keeps connections alive, so a session costs no
 * TCP handshake.
 */
export class MetaloopClient {
  private readonly headers: Record<string, string>;

  constructor(readonly endpoints: Endpoints) {
    this.headers = {
      'content-type': 'application/json',
      ...(endpoints.apiKey && { authorization: `Bearer ${endpoints.apiKey}` }),
    };
  }

  // ---- the agent runtime's side (feedback-api) ----

  /** The session's config; with `query`, a config with dynamic examples brings the stored examples most like it. */
  config(agentId: string, sessionId: string, query?: string): Promise<ServedConfig> {
    return this.request(
      'GET',
      `${this.endpoints.feedbackUrl}/api/v1/agents/${agentId}/config?session_id=${encodeURIComponent(sessionId)}${
        query === undefined ? '' : `&query=${encodeURIComponent(query)}`
      }`,
    );
  }

  async collect(event: FeedbackEvent): Promise<void> {
    await this.request('POST', `${this.endpoints.feedbackUrl}/api/v1/feedback/collect`, event, 202);
  }

  /** Per-item results; an item that is not `accepted` or `duplicate` is reported by the caller. */
  async collectBulk(events: FeedbackEvent[]): Promise<Array<{ status: string }>> {
    const answer = await this.request<{ results: Array<{ status: string }> }>(
      'POST',
      `${this.endpoints.feedbackUrl}/api/v1/feedback/collect/bulk`,
      { events },
      202,
      200,
      207,
    );
    return answer.results ?? [];
  }

  // ---- the operator's side (oracle-api) ----

  createAgent(body: {
    agent_id: string;
    name?: string;
    environment: string;
    config: AgentConfig;
  }): Promise<{ agent_id: string; revision_id: string }> {
    return this.request('POST', `${this.oracle}/agents`, body, 201);
  }

  addPromptCandidate(agentId: string, version: string, template: string): Promise<unknown> {
    return this.request(
      'POST',
      `${this.oracle}/agents/${agentId}/candidates`,
      { type: 'prompt', version, template },
      201,
    );
  }

  agent(agentId: string): Promise<AgentView> {
    return this.request('GET', `${this.oracle}/agents/${agentId}`);
  }

  revision(agentId: string, revisionId: string): Promise<RevisionView> {
    return this.request('GET', `${this.oracle}/agents/${agentId}/revisions/${revisionId}`);
  }

  /** An operator's deploy: a new stable revision at once; the replaced prompt becomes a candidate. */
  deploy(agentId: string, config: AgentConfig, reason: string): Promise<DeployResult> {
    return this.request('POST', `${this.oracle}/agents/${agentId}/deploy`, { config, reason }, 200, 201);
  }

  tick(timeWindowHours: number): Promise<TickResult> {
    return this.request('POST', `${this.oracle}/oracle/tick`, { time_window_hours: timeWindowHours }, 200, 201, 202);
  }

  status(): Promise<OracleStatus> {
    return this.request('GET', `${this.oracle}/oracle/status`);
  }

  async policy(): Promise<PolicyFigures> {
    return (await this.request<{ policy: PolicyFigures }>('GET', `${this.oracle}/oracle/policies`)).policy;
  }

  rollouts(agentId?: string): Promise<RolloutView[]> {
    return this.pages(`${this.oracle}/oracle/rollouts?limit=500${agentId ? `&agent_id=${agentId}` : ''}`);
  }

  rollout(rolloutId: string): Promise<RolloutDetail> {
    return this.request('GET', `${this.oracle}/oracle/rollouts/${rolloutId}`);
  }

  findings(agentId?: string): Promise<FindingView[]> {
    return this.pages(`${this.oracle}/oracle/findings?limit=500${agentId ? `&agent_id=${agentId}` : ''}`);
  }

  plans(agentId?: string): Promise<PlanView[]> {
    return this.pages(`${this.oracle}/oracle/plans?limit=200${agentId ? `&agent_id=${agentId}` : ''}`);
  }

  audit(query: string): Promise<AuditEntry[]> {
    return this.pages(`${this.oracle}/oracle/audit?limit=500&${query}`);
  }

  private get oracle(): string {
    return `${this.endpoints.oracleUrl}/api/v1`;
  }

  /** Every page of a listing (`{items, next_cursor}`). */
  private async pages<T>(url: string): Promise<T[]> {
    const items: T[] = [];
    for (let cursor: string | null = null, first = true; first || cursor; first = false) {
      const page: { items: T[]; next_cursor: string | null } = await this.request(
        'GET',
        cursor ? `${url}&cursor=${encodeURIComponent(cursor)}` : url,
      );
      items.push(...page.items);
      cursor = page.next_cursor;
    }
    return items;
  }

  private async request<T>(method: 'GET' | 'POST', url: string, body?: unknown, ...expected: number[]): Promise<T> {
    const ok = expected.length ? expected : [200];
    let response: Response;
    try {
      response = await fetch(url, {
        method,
        headers: this.headers,
        ...(body !== undefined && { body: JSON.stringify(body) }),
        signal: AbortSignal.timeout(TIMEOUT_MS),
      });
    } catch (error) {
      throw new ApiError(method, url, 0, error instanceof Error ? `${error.name}: ${error.message}` : String(error));
    }
    const text = await response.text();
    if (!ok.includes(response.status)) throw new ApiError(method, url, response.status, text);
    return (text ? JSON.parse(text) : undefined) as T;
  }
}
