import { get, may, post } from '../api';
import type { ViewProps } from '../app';
import { usePoll, type Loaded } from '../hooks';
import { href } from '../router';
import type { FreezeResponse, OracleStatus, RollbackResult, RolloutList, RolloutView } from '../types';
import { Badge, Loading, pct, short, time } from '../ui';

async function liveRollouts(): Promise<RolloutView[]> {
  const lists = await Promise.all(
    (['running', 'paused', 'pending'] as const).map((status) =>
      get<RolloutList>(`/api/v1/oracle/rollouts?status=${status}&limit=200`),
    ),
  );
  return lists.flatMap((list) => list.items);
}

/** Freeze and thaw; emergency rollback of one rollout, one agent or all, each confirmed with what will change. */
export function ControlView({ who, confirm, status }: ViewProps & { status: Loaded<OracleStatus> }) {
  const rollouts = usePoll(liveRollouts, [], 2000);
  const canAct = may(who, 'oracle:rollback');
  const frozen = status.data?.frozen ?? false;
  const live = rollouts.data ?? [];

  const rollback = (title: string, selector: Record<string, unknown>, affected: RolloutView[]) =>
    confirm({
      title,
      body: (
        <>
          <p>These canaries end and their agents serve their stable revision to every session again:</p>
          <RolloutList rollouts={affected} />
          {affected.length === 0 && <p class="muted">No rollout is live right now: nothing would change.</p>}
        </>
      ),
      confirmLabel: 'Roll back',
      danger: true,
      reason: { label: 'Reason (for the audit log)' },
      run: async (why) => {
        await post<RollbackResult>('/api/v1/oracle/rollback', {
          ...selector,
          emergency: true,
          ...(why ? { reason: why } : {}),
        });
        rollouts.reload();
        status.reload();
      },
    });

  const toggleFreeze = () =>
    confirm({
      title: frozen ? 'Unfreeze the loop?' : 'Freeze the loop?',
      body: frozen ? (
        <p>New rollouts may start again and running canaries take their next steps ({live.length} live now).</p>
      ) : (
        <p>
          No new rollout starts and no canary takes a further step while frozen; the {live.length} live canar
          {live.length === 1 ? 'y holds' : 'ies hold'} (or are rolled back if the policy says{' '}
          <code>freeze.in_flight: rollback</code>). Hard thresholds still roll back.
        </p>
      ),
      confirmLabel: frozen ? 'Unfreeze' : 'Freeze',
      danger: !frozen,
      reason: { label: 'Reason', required: !frozen },
      run: async (why) => {
        await post<FreezeResponse>('/api/v1/oracle/freeze', { frozen: !frozen, ...(why ? { reason: why } : {}) });
        status.reload();
        rollouts.reload();
      },
    });

  return (
    <section>
      <h1>Control</h1>
      {!canAct && <p class="muted">This key lacks oracle:rollback: it can see, not freeze or roll back.</p>}
      <div class="card">
        <h2>Freeze</h2>
        <Loading loading={status.loading} problem={status.problem} />
        {status.data && (
          <p>
            The loop is <strong class={frozen ? 'alert-text' : 'good-text'}>{frozen ? 'frozen' : 'running'}</strong>
            {status.data.freeze_reason ? ` (${status.data.freeze_reason})` : ''}.
          </p>
        )}
        {canAct && status.data && (
          <button type="button" class={frozen ? 'primary' : 'danger'} onClick={toggleFreeze}>
            {frozen ? 'Unfreeze…' : 'Freeze…'}
          </button>
        )}
      </div>
      <div class="card">
        <h2>Live rollouts ({live.length})</h2>
        <Loading loading={rollouts.loading} problem={rollouts.problem} />
        {live.length === 0 && !rollouts.loading && <p class="muted">No rollout is live.</p>}
        {live.length > 0 && (
          <table>
            <thead>
              <tr>
                <th>Agent</th>
                <th>Rollout</th>
                <th class="num">Weight</th>
                <th>Started</th>
                {canAct && <th>Emergency</th>}
              </tr>
            </thead>
            <tbody>
              {live.map((r) => (
                <tr key={r.rollout_id}>
                  <td data-label="Agent">
                    <a href={href(`/agents/${encodeURIComponent(r.agent_id)}`)}>{r.agent_id}</a>
                  </td>
                  <td data-label="Rollout">
                    <a href={href(`/rollouts/${r.rollout_id}`)}>{short(r.rollout_id)}</a> <Badge value={r.status} />{' '}
                    {r.mutation_type}
                  </td>
                  <td data-label="Weight" class="num">
                    {pct(r.weight)}
                  </td>
                  <td data-label="Started">{time(r.started_at)}</td>
                  {canAct && (
                    <td data-label="Emergency">
                      <button
                        type="button"
                        class="danger small"
                        onClick={() =>
                          rollback(`Roll back rollout ${short(r.rollout_id)}?`, { rollout_id: r.rollout_id }, [r])
                        }
                      >
                        Roll back rollout
                      </button>{' '}
                      <button
                        type="button"
                        class="danger small"
                        onClick={() =>
                          rollback(
                            `Roll back agent ${r.agent_id}?`,
                            { agent_id: r.agent_id },
                            live.filter((x) => x.agent_id === r.agent_id),
                          )
                        }
                      >
                        Roll back agent
                      </button>
                    </td>
                  )}
                </tr>
              ))}
            </tbody>
          </table>
        )}
        {canAct && (
          <div class="actions">
            <button
              type="button"
              class="danger"
              onClick={() => rollback('Roll back EVERY live rollout?', { all: true }, live)}
            >
              Emergency: roll back all…
            </button>
          </div>
        )}
      </div>
    </section>
  );
}

function RolloutList({ rollouts }: { rollouts: RolloutView[] }) {
  return (
    <ul>
      {rollouts.map((r) => (
        <li key={r.rollout_id}>
          <strong>{r.agent_id}</strong>: {r.mutation_type} canary at {pct(r.weight)} (rollout{' '}
          <code>{short(r.rollout_id)}</code>) → back to <code>{short(r.stable_revision_id, 12)}</code>
        </li>
      ))}
    </ul>
  );
}
