import { useState } from 'preact/hooks';
import { get, query } from '../api';
import type { ViewProps } from '../app';
import { usePoll } from '../hooks';
import { href } from '../router';
import type { AuditEntryView, AuditPage } from '../types';
import { Json, Loading, short, time } from '../ui';

interface Filters {
  agent_id: string;
  action: string;
  actor: string;
  entity_type: string;
}

const EMPTY: Filters = { agent_id: '', action: '', actor: '', entity_type: '' };

/** The audit log: who did what to which entity, and why; filterable, newest first, paged. */
export function AuditView(_props: ViewProps) {
  const [draft, setDraft] = useState<Filters>(EMPTY);
  const [filters, setFilters] = useState<Filters>(EMPTY);
  const [older, setOlder] = useState<AuditEntryView[]>([]);
  const [cursor, setCursor] = useState<string | null>(null);
  const page = usePoll(
    () => get<AuditPage>(`/api/v1/oracle/audit${query({ ...filters, limit: 100 })}`),
    [JSON.stringify(filters)],
    5000,
  );
  const next = cursor ?? page.data?.next_cursor ?? null;
  const entries = [...(page.data?.items ?? []), ...older];

  const loadMore = async () => {
    if (!next) return;
    const more = await get<AuditPage>(`/api/v1/oracle/audit${query({ ...filters, limit: 100, cursor: next })}`);
    setOlder((list) => [...list, ...more.items]);
    setCursor(more.next_cursor ?? '');
  };
  const field = (name: keyof Filters, label: string, placeholder: string) => (
    <label>
      {label}
      <input
        type="search"
        name={name}
        placeholder={placeholder}
        value={draft[name]}
        onInput={(e) => setDraft({ ...draft, [name]: (e.target as HTMLInputElement).value })}
      />
    </label>
  );

  return (
    <section>
      <h1>Audit</h1>
      <form
        class="filters"
        role="search"
        onSubmit={(e) => {
          e.preventDefault();
          setOlder([]);
          setCursor(null);
          setFilters({ ...draft });
        }}
      >
        {field('agent_id', 'Agent', 'agent id')}
        {field('action', 'Action', 'e.g. rollout.rolled_back')}
        {field('actor', 'Actor', 'e.g. api_key:… or system:orchestrator')}
        {field('entity_type', 'Entity', 'plan, rollout, …')}
        <button type="submit">Filter</button>
      </form>
      <Loading loading={page.loading} problem={page.problem} />
      {page.data && (
        <table>
          <thead>
            <tr>
              <th>When</th>
              <th>Who</th>
              <th>What</th>
              <th>On</th>
              <th>Why</th>
            </tr>
          </thead>
          <tbody>
            {entries.map((entry) => (
              <tr key={entry.id}>
                <td data-label="When">{time(entry.at)}</td>
                <td data-label="Who">{entry.actor}</td>
                <td data-label="What">
                  <strong>{entry.action}</strong>
                </td>
                <td data-label="On">
                  {entry.entity_type}{' '}
                  {entry.entity_type === 'rollout' ? (
                    <a href={href(`/rollouts/${entry.entity_id}`)}>{short(entry.entity_id)}</a>
                  ) : (
                    <code>{short(entry.entity_id)}</code>
                  )}
                  {entry.agent_id && (
                    <>
                      {' '}
                      · <a href={href(`/agents/${encodeURIComponent(entry.agent_id)}`)}>{entry.agent_id}</a>
                    </>
                  )}
                </td>
                <td data-label="Why">
                  {entry.reason ?? <span class="muted">—</span>}
                  <Json value={entry.details} />
                </td>
              </tr>
            ))}
            {entries.length === 0 && (
              <tr>
                <td colSpan={5} class="muted">
                  No entries.
                </td>
              </tr>
            )}
          </tbody>
        </table>
      )}
      {next && (
        <button type="button" onClick={() => void loadMore()}>
          Older entries
        </button>
      )}
    </section>
  );
}
