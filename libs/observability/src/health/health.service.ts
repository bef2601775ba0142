import { Inject, Injectable, type BeforeApplicationShutdown } from '@nestjs/common';
import { HEALTH_OPTIONS, type HealthModuleOptions } from './health.options';

export interface CheckOutcome {
  status: 'up' | 'down';
  latency_ms: number;
  reason?: string;
}

export interface ReadinessReport {
  status: 'ready' | 'not_ready';
  checks: Record<string, CheckOutcome>;
}

@Injectable()
export class HealthService implements BeforeApplicationShutdown {
  private shuttingDown = false;

  constructor(@Inject(HEALTH_OPTIONS) private readonly options: HealthModuleOptions) {}

  /** Flip to not-ready first, so load balancers stop sending before the server drains. */
  beforeApplicationShutdown(): void {
    this.shuttingDown = true;
  }

  async readiness(): Promise<ReadinessReport> {
    const timeoutMs = this.options.timeoutMs ?? 2_000;
    const outcomes = await Promise.all(
      this.options.checks.map(async ({ name, check, gatesReadiness = true }) => ({
        name,
        gatesReadiness,
        outcome: await runCheck(check, timeoutMs),
      })),
    );
    const checks: Record<string, CheckOutcome> = Object.fromEntries(outcomes.map((o) => [o.name, o.outcome]));
    const gating = outcomes.filter((o) => o.gatesReadiness).map((o) => o.outcome);
    if (this.shuttingDown) {
      checks['shutdown'] = { status: 'down', latency_ms: 0, reason: 'shutting down' };
      gating.push(checks['shutdown']);
    }
    const ready = gating.every((outcome) => outcome.status === 'up');
    return { status: ready ? 'ready' : 'not_ready', checks };
  }
}

async function runCheck(check: () => Promise<void> | void, timeoutMs: number): Promise<CheckOutcome> {
  const started = performance.now();
  let timer: NodeJS.Timeout | undefined;
  try {
    await Promise.race([
      Promise.resolve().then(check),
      new Promise((_, reject) => {
        timer = setTimeout(() => reject(new Error(`no answer within ${timeoutMs} ms`)), timeoutMs);
      }),
    ]);
    return { status: 'up', latency_ms: elapsed(started) };
  } catch (error) {
    return { status: 'down', latency_ms: elapsed(started), reason: (error as Error).message || String(error) };
  } finally {
    clearTimeout(timer);
  }
}

const elapsed = (started: number) => Math.round((performance.now() - started) * 10) / 10;
