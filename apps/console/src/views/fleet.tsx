import { useState } from 'preact/hooks';
import { get } from '../api';
import type { ViewProps } from '../app';
import { usePoll } from '../hooks';
import { href } from '../router';
import type {
  AgentListResponse,
  AgentResponse,
  FindingListResponse,
  OracleStatus,
  RolloutList,
  RolloutView,
} from '../types';
import { ago, Badge, Loading, pct, short } from '../ui';

const UNRESOLVED = new Set(['open', 'planned', 'deferred']);

interface FleetRow {
  agent: AgentResponse;
  openFindings: number;
  latest: RolloutView | undefined;
  lastChange: string;
}

async function loadFleet(): Promise<{ rows: FleetRow[]; status: OracleStatus }> {
  const [agents, findings, rollouts, status] = await Promise.all([
    get<AgentListResponse>('/api/v1/agents?limit=200'),
    get<FindingListResponse>('/api/v1/oracle/findings?limit=500'),
    get<RolloutList>('/api/v1/oracle/rollouts?limit=200'),
    get<OracleStatus>('/api/v1/oracle/status'),
  ]);
  const open = new Map<string, number>();
  for (const finding of findings.items) {
    // Open until resolved: waiting for a tick, planned, or deferred with a reason.
    if (UNRESOLVED.has(finding.status)) open.set(finding.agent_id, (open.get(finding.agent_id) ?? 0) + 1);
  }
  const latest = new Map<string, RolloutView>();
  for (const rollout of rollouts.items) if (!latest.has(rollout.agent_id)) latest.set(rollout.agent_id, rollout);
  const rows = agents.items.map((agent) => {
    const rollout = latest.get(agent.agent_id);
    const lastChange = [agent.created_at, rollout?.created_at, rollout?.started_at, rollout?.finished_at]
      .filter((at): at is string => !!at)
      .sort()
      .pop()!;
    return { agent, openFindings: open.get(agent.agent_id) ?? 0, latest: rollout, lastChange };
  });
  return { rows, status };
}

/** Every agent at a glance: where it runs, what it serves, its canary, its open findings, its last change. */
export function FleetView(_props: ViewProps) {
  const fleet = usePoll(loadFleet, [], 3000);
  const [search, setSearch] = useState('');
  const [environment, setEnvironment] = useState('');
  const [only, setOnly] = useState<'all' | 'rollouts' | 'findings'>('all');

  const rows = (fleet.data?.rows ?? []).filter(
    ({ agent, openFindings }) =>
      (!search || `${agent.agent_id} ${agent.name}`.toLowerCase().includes(search.toLowerCase())) &&
      (!environment || agent.environment === environment) &&
      (only === 'all' || (only === 'rollouts' ? !!agent.active_rollout : openFindings > 0)),
  );
  const status = fleet.data?.status;
  const all = fleet.data?.rows ?? [];

  return (
    <section>
      <h1>Fleet</h1>
      {status && (
        <div class="tiles">
          <Tile label="agents" value={all.length} />
          <Tile label="live rollouts" value={all.filter((r) => r.agent.active_rollout).length} tone="info" />
          <Tile label="open findings" value={all.reduce((sum, r) => sum + r.openFindings, 0)} tone="warn" />
          <Tile
            label="awaiting approval"
            value={status.plans['awaiting_approval'] ?? 0}
            tone={(status.plans['awaiting_approval'] ?? 0) > 0 ? 'alert' : undefined}
            link="/plans"
          />
          <Tile label="mutations left this hour" value={status.budget.remaining.per_hour} />
          <Tile
            label="last tick"
            value={status.last_tick ? ago(status.last_tick.started_at) : 'never'}
            detail={status.last_tick?.status}
          />
        </div>
      )}
      <div class="filters" role="search">
        <label>
          Search
          <input
            type="search"
            placeholder="agent id or name"
            value={search}
            onInput={(e) => setSearch((e.target as HTMLInputElement).value)}
          />
        </label>
        <label>
          Environment
          <select value={environment} onChange={(e) => setEnvironment((e.target as HTMLSelectElement).value)}>
            <option value="">all</option>
            <option value="dev">dev</option>
            <option value="staging">staging</option>
            <option value="prod">prod</option>
          </select>
        </label>
        <label>
          Show
          <select value={only} onChange={(e) => setOnly((e.target as HTMLSelectElement).value as typeof only)}>
            <option value="all">every agent</option>
            <option value="rollouts">with a live rollout</option>
            <option value="findings">with open findings</option>
          </select>
        </label>
      </div>
      <Loading loading={fleet.loading} problem={fleet.problem} />
      {fleet.data && (
        <table class="fleet">
          <thead>
            <tr>
              <th>Agent</th>
              <th>Env</th>
              <th>Stable revision</th>
              <th>Live rollout</th>
              <th class="num">Open findings</th>
              <th>Last change</th>
            </tr>
          </thead>
          <tbody>
            {rows.map(({ agent, openFindings, latest, lastChange }) => (
              <tr key={agent.agent_id} data-agent={agent.agent_id}>
                <td data-label="Agent">
                  <a href={href(`/agents/${encodeURIComponent(agent.agent_id)}`)}>{agent.agent_id}</a>
                  {agent.name !== agent.agent_id && <div class="muted small">{agent.name}</div>}
                </td>
                <td data-label="Env">
                  <Badge value={agent.environment} />
                </td>
                <td data-label="Stable revision">
                  <code title={agent.stable_revision_id ?? ''}>{short(agent.stable_revision_id, 12)}</code>
                </td>
                <td data-label="Live rollout">
                  {agent.active_rollout ? (
                    <a class="rollout-cell" href={href(`/rollouts/${agent.active_rollout.rollout_id}`)}>
                      <Badge value={agent.active_rollout.status} /> {agent.active_rollout.mutation_type}{' '}
                      <Meter weight={agent.active_rollout.weight} />
                    </a>
                  ) : latest ? (
                    <a class="muted" href={href(`/rollouts/${latest.rollout_id}`)}>
                      last: <Badge value={latest.status} />
                    </a>
                  ) : (
                    <span class="muted">none</span>
                  )}
                </td>
                <td data-label="Open findings" class={`num ${openFindings > 0 ? 'warn-text' : ''}`}>
                  {openFindings}
                </td>
                <td data-label="Last change" title={lastChange}>
                  {ago(lastChange)}
                </td>
              </tr>
            ))}
            {rows.length === 0 && (
              <tr>
                <td colSpan={6} class="muted">
                  No agent matches.
                </td>
              </tr>
            )}
          </tbody>
        </table>
      )}
    </section>
  );
}

export function Meter({ weight }: { weight: number }) {
  return (
    <span class="meter" title={`canary weight ${pct(weight)}`}>
      <span class="meter-bar" aria-hidden="true">
        <span style={{ width: `${Math.min(100, Math.max(0, weight))}%` }} />
      </span>
      <span class="meter-label">{pct(weight)}</span>
    </span>
  );
}

function Tile({
  label,
  value,
  tone,
  detail,
  link,
}: {
  label: string;
  value: string | number;
  tone?: string;
  detail?: string;
  link?: string;
}) {
  const body = (
    <>
      <span class="tile-value">{value}</span>
      <span class="tile-label">
        {label}
        {detail ? ` · ${detail}` : ''}
      </span>
    </>
  );
  return <div class={`tile ${tone ?? ''}`}>{link ? <a href={href(link)}>{body}</a> : body}</div>;
}
