import { Injectable } from '@nestjs/common';
import type { GateResult } from '@metaloop/contracts';
import { MetricsRegistry } from '@metaloop/observability';
import { Counter } from 'prom-client';

@Injectable()
export class ValidationMetrics {
  private readonly gateResults: Counter<'gate' | 'status'>;
  private readonly validations: Counter<'outcome'>;

  constructor(registry: MetricsRegistry) {
    this.gateResults = new Counter({
      name: 'metaloop_gate_results_total',
      help: 'SPEC-gate results, by gate and status (pass, fail, needs_approval)',
      labelNames: ['gate', 'status'],
      registers: [registry],
    });
    this.validations = new Counter({
      name: 'metaloop_plan_validations_total',
      help: 'Plan validations by outcome (passed, needs_approval, blocked)',
      labelNames: ['outcome'],
      registers: [registry],
    });
  }

  record(gates: readonly GateResult[], outcome: 'passed' | 'needs_approval' | 'blocked'): void {
    for (const gate of gates) this.gateResults.inc({ gate: gate.gate, status: gate.status });
    this.validations.inc({ outcome });
  }
}
