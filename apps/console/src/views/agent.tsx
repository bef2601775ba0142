import { useState } from 'preact/hooks';
import { get, may, post, query } from '../api';
import type { ViewProps } from '../app';
import { usePoll } from '../hooks';
import { href } from '../router';
import type {
  AgentResponse,
  CandidateListResponse,
  FindingListResponse,
  RevisionDiffResponse,
  RevisionListResponse,
  RevisionResponse,
  RollbackResult,
  RolloutList,
} from '../types';
import { ago, Badge, Json, Loading, num, pct, ProblemBox, short, time } from '../ui';
import { toProblem } from '../hooks';
import type { Problem } from '../api';
import { Meter } from './fleet';

async function loadAgent(agentId: string) {
  const id = encodeURIComponent(agentId);
  const [agent, revisions, candidates, findings, rollouts] = await Promise.all([
    get<AgentResponse>(`/api/v1/agents/${id}`),
    get<RevisionListResponse>(`/api/v1/agents/${id}/revisions?limit=50`),
    get<CandidateListResponse>(`/api/v1/agents/${id}/candidates?limit=100`),
    get<FindingListResponse>(`/api/v1/oracle/findings${query({ agent_id: agentId, limit: 50 })}`),
    get<RolloutList>(`/api/v1/oracle/rollouts${query({ agent_id: agentId, limit: 50 })}`),
  ]);
  return {
    agent,
    revisions: revisions.items,
    candidates: candidates.items,
    findings: findings.items,
    rollouts: rollouts.items,
  };
}

/** One agent: its live rollout, revisions with diffs, candidates, findings with their statistics, rollout history. */
export function AgentView({ who, confirm, agentId }: ViewProps & { agentId: string }) {
  const loaded = usePoll(() => loadAgent(agentId), [agentId], 4000);
  const d = loaded.data;
  const active = d?.agent.active_rollout;

  return (
    <section>
      <p class="crumbs">
        <a href={href('/')}>Fleet</a> › {agentId}
      </p>
      <h1>
        {agentId} {d && <Badge value={d.agent.environment} />}
      </h1>
      <Loading loading={loaded.loading} problem={loaded.problem} />
      {d && (
        <>
          <dl class="facts">
            <dt>Name</dt>
            <dd>{d.agent.name}</dd>
            <dt>Stable revision</dt>
            <dd>
              <code>{d.agent.stable_revision_id ?? '—'}</code>
            </dd>
            <dt>Live rollout</dt>
            <dd>
              {active ? (
                <a href={href(`/rollouts/${active.rollout_id}`)}>
                  <Badge value={active.status} /> {active.mutation_type} <Meter weight={active.weight} />
                </a>
              ) : (
                'none'
              )}
            </dd>
            {who.grafana_url && (
              <>
                <dt>Dashboards</dt>
                <dd>
                  {['safety', 'feedback', 'performance'].map((name, i) => (
                    <span key={name}>
                      {i > 0 && ' · '}
                      <a
                        href={`${who.grafana_url!.replace(/\/$/, '')}/d/metaloop-${name}?var-agent=${encodeURIComponent(agentId)}&var-environment=${d.agent.environment}`}
                        target="_blank"
                        rel="noreferrer"
                      >
                        {name}
                      </a>
                    </span>
                  ))}
                </dd>
              </>
            )}
          </dl>
          {active && may(who, 'oracle:rollback') && (
            <button
              type="button"
              class="danger"
              onClick={() =>
                confirm({
                  title: `Roll back ${agentId}?`,
                  body: (
                    <p>
                      The {active.mutation_type} canary at {pct(active.weight)} ends: every session of{' '}
                      <strong>{agentId}</strong> is served the stable revision <code>{active.stable_revision_id}</code>{' '}
                      again, and the candidate <code>{short(active.candidate_revision_id, 12)}</code> is reverted.
                    </p>
                  ),
                  confirmLabel: `Roll back ${agentId}`,
                  danger: true,
                  reason: { label: 'Reason (for the audit log)' },
                  run: async (reason) => {
                    await post<RollbackResult>('/api/v1/oracle/rollback', {
                      agent_id: agentId,
                      emergency: true,
                      ...(reason ? { reason } : {}),
                    });
                    loaded.reload();
                  },
                })
              }
            >
              Roll back this agent
            </button>
          )}

          <h2>Findings</h2>
          {d.findings.length === 0 ? (
            <p class="muted">No findings.</p>
          ) : (
            <table>
              <thead>
                <tr>
                  <th>Finding</th>
                  <th>Status</th>
                  <th>Statistics</th>
                  <th>Seen</th>
                </tr>
              </thead>
              <tbody>
                {d.findings.map((f) => (
                  <tr key={f.finding_id}>
                    <td data-label="Finding">
                      <Badge value={f.severity} /> <strong>{f.type.replace(/_/g, ' ')}</strong>
                      <div>{f.summary}</div>
                    </td>
                    <td data-label="Status">
                      <Badge value={f.status} />
                      {f.deferred_reason && (
                        <div class="muted small">deferred: {f.deferred_detail ?? f.deferred_reason}</div>
                      )}
                    </td>
                    <td data-label="Statistics" class="small">
                      {f.evidence.metric && <div>{f.evidence.metric}</div>}
                      {f.evidence.value !== undefined && (
                        <div>
                          {num(f.evidence.value)} vs baseline {num(f.evidence.baseline_value)} (n {f.evidence.n ?? '—'}{' '}
                          / {f.evidence.baseline_n ?? '—'})
                        </div>
                      )}
                      {f.evidence.test && (
                        <div>
                          {f.evidence.test}: p {num(f.evidence.p_value)}
                          {f.evidence.effect_size !== undefined && `, effect ${num(f.evidence.effect_size)}`}
                          {f.evidence.ci && `, CI [${num(f.evidence.ci[0])}, ${num(f.evidence.ci[1])}]`}
                        </div>
                      )}
                      <div>confidence {num(f.confidence, 2)}</div>
                    </td>
                    <td data-label="Seen">
                      {f.occurrences}× · {ago(f.last_seen_at)}
                    </td>
                  </tr>
                ))}
              </tbody>
            </table>
          )}

          <h2>Rollout history</h2>
          {d.rollouts.length === 0 ? (
            <p class="muted">No rollouts.</p>
          ) : (
            <table>
              <thead>
                <tr>
                  <th>Rollout</th>
                  <th>Status</th>
                  <th class="num">Weight</th>
                  <th>Reason</th>
                  <th>Started</th>
                </tr>
              </thead>
              <tbody>
                {d.rollouts.map((r) => (
                  <tr key={r.rollout_id}>
                    <td data-label="Rollout">
                      <a href={href(`/rollouts/${r.rollout_id}`)}>{short(r.rollout_id)}</a> {r.mutation_type}
                    </td>
                    <td data-label="Status">
                      <Badge value={r.status} />
                    </td>
                    <td data-label="Weight" class="num">
                      {pct(r.weight)}
                    </td>
                    <td data-label="Reason">{r.status_reason ?? '—'}</td>
                    <td data-label="Started">{time(r.started_at ?? r.created_at)}</td>
                  </tr>
                ))}
              </tbody>
            </table>
          )}

          <h2>Revisions</h2>
          <Revisions agentId={agentId} revisions={d.revisions} stable={d.agent.stable_revision_id} />

          <h2>Candidates</h2>
          {d.candidates.length === 0 ? (
            <p class="muted">No candidates registered.</p>
          ) : (
            <ul class="plain">
              {d.candidates.map((c) => (
                <li key={c.candidate_id}>
                  <Badge value={c.type} /> <strong>{c.key}</strong> <span class="muted">{ago(c.created_at)}</span>
                  <Json value={c} summary="candidate" />
                </li>
              ))}
            </ul>
          )}
        </>
      )}
    </section>
  );
}

function Revisions({
  agentId,
  revisions,
  stable,
}: {
  agentId: string;
  revisions: RevisionResponse[];
  stable: string | null;
}) {
  const [open, setOpen] = useState<string | null>(null);
  const [diff, setDiff] = useState<RevisionDiffResponse | null>(null);
  const [problem, setProblem] = useState<Problem | undefined>(undefined);
  const show = async (revision: RevisionResponse) => {
    if (open === revision.revision_id) return setOpen(null);
    setOpen(revision.revision_id);
    setDiff(null);
    setProblem(undefined);
    if (!revision.parent_id) return;
    try {
      setDiff(
        await get<RevisionDiffResponse>(
          `/api/v1/agents/${encodeURIComponent(agentId)}/revisions/${encodeURIComponent(revision.parent_id)}/diff/${encodeURIComponent(revision.revision_id)}`,
        ),
      );
    } catch (error) {
      setProblem(toProblem(error));
    }
  };
  return (
    <ul class="plain revisions">
      {revisions.map((revision) => (
        <li key={revision.revision_id}>
          <button
            type="button"
            class="link"
            aria-expanded={open === revision.revision_id}
            onClick={() => void show(revision)}
          >
            <code>{short(revision.revision_id, 12)}</code>
          </button>{' '}
          {revision.revision_id === stable && <Badge value="stable" />} {revision.mutation_type ?? 'baseline'}{' '}
          <span class="muted">
            by {revision.created_by}, {ago(revision.created_at)}
          </span>
          {open === revision.revision_id && (
            <div class="diff">
              <ProblemBox problem={problem} />
              {!revision.parent_id && <Json value={revision.config} summary="config (baseline)" />}
              {diff && (
                <>
                  <p class="muted">Changes from its parent {short(revision.parent_id, 12)}:</p>
                  <ul>
                    {diff.changes.map((change) => (
                      <li key={change.path}>
                        <code>{change.path}</code> {change.kind}: <del>{JSON.stringify(change.before)}</del> →{' '}
                        <ins>{JSON.stringify(change.after)}</ins>
                      </li>
                    ))}
                  </ul>
                  {diff.prompt_template_diff && (
                    <pre class="linediff">
                      {diff.prompt_template_diff.map((line, i) => (
                        <div key={i} class={line.op}>
                          {line.op === 'added' ? '+ ' : line.op === 'removed' ? '- ' : '  '}
                          {line.text}
                        </div>
                      ))}
                    </pre>
                  )}
                  <Json value={revision.config} summary="full config" />
                </>
              )}
            </div>
          )}
        </li>
      ))}
    </ul>
  );
}
