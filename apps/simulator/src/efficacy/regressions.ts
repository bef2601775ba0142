import { ApiError, type MetaloopClient } from '../api/client';
import type { RegressionInjection } from '../report/outcomes';
import type { AgentTruth, Fleet } from '../truth/fleet';

const RETRY_MS = 5_000;
const GIVE_UP_MS = 120_000;

/**
 * The operator who breaks things: at each regression's time, deploys its bad prompt over the
 * agent's stable config (`POST /api/v1/agents/{id}/deploy`). metaloop registers the replaced
 * prompt as a candidate, so the loop can canary back to it. A deploy refused with 409 (e.g. the
 * agent is busy) is retried every 5 s for 2 minutes; a missing route (404 on a known agent) is
 * recorded as not injected, once, loudly.
 */
export class RegressionInjector {
  readonly injections: RegressionInjection[] = [];
  private readonly timers: NodeJS.Timeout[] = [];
  private readonly running = new Set<Promise<void>>();
  private stopped = false;

  constructor(
    private readonly client: MetaloopClient,
    private readonly fleet: Fleet,
    private readonly log: (line: string) => void,
  ) {}

  /** Schedules every regression relative to `startedAt` (epoch ms). */
  start(startedAt: number): void {
    for (const agent of this.fleet.agents) {
      if (!agent.regression) continue;
      const delay = Math.max(0, startedAt + agent.regression.atSeconds * 1000 - Date.now());
      this.timers.push(
        setTimeout(() => {
          const run = this.inject(agent).finally(() => this.running.delete(run));
          this.running.add(run);
        }, delay),
      );
    }
  }

  async stop(): Promise<void> {
    this.stopped = true;
    this.timers.forEach(clearTimeout);
    await Promise.all(this.running);
  }

  private async inject(agent: AgentTruth): Promise<void> {
    const bad = agent.regression!.prompt;
    const began = Date.now();
    for (;;) {
      try {
        const view = await this.client.agent(agent.agentId);
        const stable = await this.client.revision(agent.agentId, view.stable_revision_id!);
        const result = await this.client.deploy(
          agent.agentId,
          { ...stable.config, prompt: { version: bad.version, template: bad.template } },
          'simulated operator pushes a bad prompt',
        );
        this.injections.push({
          agentId: agent.agentId,
          atMs: Date.now(),
          ok: true,
          badVersion: bad.version,
          replacedVersion: stable.config.prompt.version,
        });
        this.log(
          `regression: deployed ${bad.version} (true quality ${bad.quality}) over ${stable.config.prompt.version} on ${agent.agentId} → revision ${result.revision_id}`,
        );
        return;
      } catch (error) {
        const missingRoute = error instanceof ApiError && error.status === 404 && error.url.endsWith('/deploy');
        const busy = error instanceof ApiError && error.status === 409;
        if (
          missingRoute ||
          this.stopped ||
          Date.now() - began > GIVE_UP_MS ||
          !(busy || (error instanceof ApiError && (error.status === 0 || error.status >= 500)))
        ) {
          const message = error instanceof Error ? error.message : String(error);
          this.injections.push({
            agentId: agent.agentId,
            atMs: Date.now(),
            ok: false,
            badVersion: bad.version,
            error: message,
          });
          this.log(
            `regression NOT injected on ${agent.agentId}: ${missingRoute ? 'the deploy route does not exist on this oracle-api yet — ' : ''}${message}`,
          );
          return;
        }
        await new Promise((resolve) => setTimeout(resolve, RETRY_MS));
      }
    }
  }
}
