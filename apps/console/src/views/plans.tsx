import { useState } from 'preact/hooks';
import { get, may, post, query } from '../api';
import type { ViewProps } from '../app';
import { usePoll } from '../hooks';
import { href } from '../router';
import type { PlanList, PlanView } from '../types';
import { ago, Badge, Json, Loading, num, short } from '../ui';

const STATUSES = [
  '',
  'awaiting_approval',
  'approved',
  'queued',
  'executing',
  'completed',
  'failed',
  'blocked',
  'rejected',
  'expired',
  'draft',
  'validated',
];

async function loadPlans(status: string, agent: string): Promise<PlanView[]> {
  const [awaiting, rest] = await Promise.all([
    status && status !== 'awaiting_approval'
      ? Promise.resolve({ items: [] as PlanView[] })
      : get<PlanList>(`/api/v1/oracle/plans${query({ status: 'awaiting_approval', agent_id: agent, limit: 100 })}`),
    status === 'awaiting_approval'
      ? Promise.resolve({ items: [] as PlanView[] })
      : get<PlanList>(`/api/v1/oracle/plans${query({ status, agent_id: agent, limit: 50 })}`),
  ]);
  const first = new Set(awaiting.items.map((p) => p.plan_id));
  return [...awaiting.items, ...rest.items.filter((p) => !first.has(p.plan_id))];
}

/** Plans, those waiting for a person first: mutations, rationale, evidence, gate results; approve or reject with a reason. */
export function PlansView({ who, confirm }: ViewProps) {
  const [status, setStatus] = useState('');
  const [agent, setAgent] = useState('');
  const plans = usePoll(() => loadPlans(status, agent), [status, agent], 3000);
  const canDecide = may(who, 'oracle:execute');

  const approve = (plan: PlanView) =>
    confirm({
      title: 'Approve and execute this plan?',
      body: (
        <>
          <p>
            {plan.mutations.length} mutation{plan.mutations.length === 1 ? '' : 's'} will start as canaries:
          </p>
          <ul>
            {plan.mutations.map((m) => (
              <li key={m.mutation_id}>
                <strong>{m.agent_id}</strong>: {m.type} {describeParams(m.params)} (risk {m.risk})
              </li>
            ))}
          </ul>
          <p class="muted">The SPEC gates check the plan again before it is queued.</p>
        </>
      ),
      confirmLabel: 'Approve and execute',
      reason: { label: 'Reason (for the audit log)' },
      run: async (reason) => {
        if (plan.status === 'awaiting_approval')
          await post(`/api/v1/oracle/plans/${plan.plan_id}/approve`, reason ? { reason } : {});
        plans.reload();
        await post('/api/v1/oracle/execute', { plan_id: plan.plan_id });
        plans.reload();
      },
    });

  const reject = (plan: PlanView) =>
    confirm({
      title: 'Reject this plan?',
      body: (
        <p>
          The plan for {[...new Set(plan.mutations.map((m) => m.agent_id))].join(', ') || 'no agent'} will not run; its
          findings may be planned again, without what was rejected.
        </p>
      ),
      confirmLabel: 'Reject',
      danger: true,
      reason: { label: 'Reason (required)', required: true },
      run: async (reason) => {
        await post(`/api/v1/oracle/plans/${plan.plan_id}/reject`, { reason });
        plans.reload();
      },
    });

  return (
    <section>
      <h1>Plans</h1>
      <div class="filters" role="search">
        <label>
          Status
          <select value={status} onChange={(e) => setStatus((e.target as HTMLSelectElement).value)}>
            {STATUSES.map((s) => (
              <option key={s} value={s}>
                {s ? s.replace(/_/g, ' ') : 'any (awaiting approval first)'}
              </option>
            ))}
          </select>
        </label>
        <label>
          Agent
          <input
            type="search"
            placeholder="agent id"
            value={agent}
            onChange={(e) => setAgent((e.target as HTMLInputElement).value.trim())}
          />
        </label>
      </div>
      {!canDecide && <p class="muted">This key lacks oracle:execute: it can read plans, not approve or reject them.</p>}
      <Loading loading={plans.loading} problem={plans.problem} />
      {plans.data?.length === 0 && <p class="muted">No plans.</p>}
      {plans.data?.map((plan) => (
        <article
          class={`card plan ${plan.status === 'awaiting_approval' ? 'attention' : ''}`}
          key={plan.plan_id}
          data-plan={plan.plan_id}
        >
          <header>
            <h2>
              <Badge value={plan.status} />{' '}
              {[...new Set(plan.mutations.map((m) => m.agent_id))].join(', ') || 'no mutation'}
            </h2>
            <span class="muted">
              <code>{short(plan.plan_id)}</code> · {plan.source} · {ago(plan.created_at)} · confidence{' '}
              {num(plan.confidence, 2)} · risk {plan.risk}
            </span>
          </header>
          <p>{plan.rationale}</p>
          {plan.decided_by && (
            <p class="muted">
              Decided by {plan.decided_by}
              {plan.decision_reason ? `: “${plan.decision_reason}”` : ''}
            </p>
          )}
          {plan.mutations.length > 0 && (
            <table class="inner">
              <thead>
                <tr>
                  <th>Agent</th>
                  <th>Mutation</th>
                  <th class="num">Confidence</th>
                  <th class="num">Risk</th>
                  <th>Expected impact</th>
                  <th>Status</th>
                </tr>
              </thead>
              <tbody>
                {plan.mutations.map((m) => (
                  <tr key={m.mutation_id}>
                    <td data-label="Agent">
                      <a href={href(`/agents/${encodeURIComponent(m.agent_id)}`)}>{m.agent_id}</a>
                    </td>
                    <td data-label="Mutation">
                      <strong>{m.type}</strong> {describeParams(m.params)}
                      <div class="muted small">{m.rationale}</div>
                    </td>
                    <td data-label="Confidence" class="num">
                      {num(m.confidence, 2)}
                    </td>
                    <td data-label="Risk" class="num">
                      {m.risk}
                    </td>
                    <td data-label="Expected impact">
                      {m.expected_impact.metric} {m.expected_impact.direction === 'increase' ? '↑' : '↓'}{' '}
                      {num(m.expected_impact.relative_change * 100, 1)} %
                    </td>
                    <td data-label="Status">
                      <Badge value={m.status} />
                    </td>
                  </tr>
                ))}
              </tbody>
            </table>
          )}
          {plan.validation && (
            <div class="gates">
              <h3>
                Gates{' '}
                <span class="muted">
                  (policy {short(plan.validation.policy_version, 12)}, {ago(plan.validation.validated_at)})
                </span>
              </h3>
              <ul>
                {plan.validation.gates.map((gate) => (
                  <li key={gate.gate} class={`gate g-${gate.status}`}>
                    <Badge value={gate.status} /> <strong>{gate.gate.replace(/_/g, ' ')}</strong>: {gate.reason}
                  </li>
                ))}
              </ul>
            </div>
          )}
          <Json value={plan.evidence} summary="evidence" />
          {canDecide && ['awaiting_approval', 'approved'].includes(plan.status) && (
            <div class="actions">
              <button type="button" class="primary" onClick={() => approve(plan)}>
                {plan.status === 'approved' ? 'Execute' : 'Approve…'}
              </button>
              <button type="button" class="danger" onClick={() => reject(plan)}>
                Reject…
              </button>
            </div>
          )}
          {canDecide && ['draft', 'validated', 'blocked'].includes(plan.status) && (
            <div class="actions">
              <button type="button" onClick={() => reject(plan)}>
                Reject…
              </button>
            </div>
          )}
        </article>
      ))}
    </section>
  );
}

export function describeParams(params: unknown): string {
  if (!params || typeof params !== 'object') return '';
  return Object.entries(params as Record<string, unknown>)
    .map(([name, value]) => `${name}=${typeof value === 'string' ? value : JSON.stringify(value)}`)
    .join(' ');
}
