import { useEffect, useState } from 'preact/hooks';
import { call, get, session, type Problem, type Whoami } from './api';
import { toProblem, usePoll } from './hooks';
import { href, navigate, onLinkClick, usePath } from './router';
import type { OracleStatus } from './types';
import { ConfirmDialog, ProblemBox, type ConfirmRequest } from './ui';
import { AgentView } from './views/agent';
import { AuditView } from './views/audit';
import { ControlView } from './views/control';
import { FleetView } from './views/fleet';
import { PlansView } from './views/plans';
import { RolloutView } from './views/rollout';

/** Views ask for a confirmation through this (one dialog for the whole console). */
export type Confirm = (request: ConfirmRequest) => void;

export interface ViewProps {
  who: Whoami;
  confirm: Confirm;
}

export function App() {
  const [who, setWho] = useState<Whoami | null>(null);
  const [checking, setChecking] = useState(session.key() !== null);
  const [problem, setProblem] = useState<Problem | undefined>(undefined);

  useEffect(() => {
    const key = session.key();
    if (key === null) return;
    call<Whoami>('GET', '/api/v1/auth/whoami', undefined, key).then(
      (answer) => {
        setWho(answer);
        setChecking(false);
      },
      (error: unknown) => {
        session.clear();
        setProblem(toProblem(error));
        setChecking(false);
      },
    );
  }, []);

  if (checking) return <p class="muted pad">Checking the key…</p>;
  if (!who)
    return (
      <Login
        problem={problem}
        onLogin={(answer, key) => {
          session.save(key);
          setProblem(undefined);
          setWho(answer);
        }}
      />
    );
  return (
    <Shell
      who={who}
      onLogout={() => {
        session.clear();
        setWho(null);
      }}
    />
  );
}

function Login({ problem, onLogin }: { problem?: Problem; onLogin: (who: Whoami, key: string) => void }) {
  const [key, setKey] = useState('');
  const [failure, setFailure] = useState<Problem | undefined>(problem);
  const [busy, setBusy] = useState(false);
  const submit = async (event: Event) => {
    event.preventDefault();
    setBusy(true);
    try {
      onLogin(await call<Whoami>('GET', '/api/v1/auth/whoami', undefined, key.trim()), key.trim());
    } catch (error) {
      setFailure(toProblem(error));
      setBusy(false);
    }
  };
  return (
    <main class="login">
      <form onSubmit={(event) => void submit(event)}>
        <h1>metaloop console</h1>
        <p class="muted">
          Enter an API key (it needs <code>oracle:read</code>; approving and rolling back need{' '}
          <code>oracle:execute</code> and <code>oracle:rollback</code>). It is kept in this browser tab only.
        </p>
        <label>
          API key
          <input
            name="api-key"
            type="password"
            autoComplete="off"
            placeholder="mlk_…"
            value={key}
            onInput={(e) => setKey((e.target as HTMLInputElement).value)}
            autoFocus
          />
        </label>
        <ProblemBox problem={failure} />
        <button type="submit" class="primary" disabled={busy}>
          Sign in
        </button>
      </form>
    </main>
  );
}

const NAV = [
  { path: '/', label: 'Fleet' },
  { path: '/plans', label: 'Plans' },
  { path: '/audit', label: 'Audit' },
  { path: '/control', label: 'Control' },
];

const DASHBOARDS = [
  ['metaloop-oracle', 'Oracle'],
  ['metaloop-safety', 'Safety'],
  ['metaloop-feedback', 'Feedback'],
  ['metaloop-performance', 'Performance'],
  ['metaloop-learning', 'Learning'],
] as const;

function Shell({ who, onLogout }: { who: Whoami; onLogout: () => void }) {
  const path = usePath();
  const [request, setRequest] = useState<ConfirmRequest | null>(null);
  const status = usePoll(() => get<OracleStatus>('/api/v1/oracle/status'), [], 5000);
  const awaiting = status.data?.plans['awaiting_approval'] ?? 0;
  const props: ViewProps = { who, confirm: setRequest };
  const section = path.split('/')[1] ?? '';

  let view;
  if (path === '/' || path === '') view = <FleetView {...props} />;
  else if (section === 'agents') view = <AgentView {...props} agentId={decodeURIComponent(path.split('/')[2] ?? '')} />;
  else if (section === 'rollouts') view = <RolloutView {...props} rolloutId={path.split('/')[2] ?? ''} />;
  else if (section === 'plans') view = <PlansView {...props} />;
  else if (section === 'audit') view = <AuditView {...props} />;
  else if (section === 'control') view = <ControlView {...props} status={status} />;
  else
    view = (
      <p>
        No such page. <a href={href('/')}>Back to the fleet</a>
      </p>
    );

  return (
    <div class="shell" onClick={onLinkClick}>
      <a class="skip" href="#main">
        Skip to content
      </a>
      <header>
        <a class="brand" href={href('/')}>
          metaloop
        </a>
        <nav aria-label="Views">
          {NAV.map((item) => (
            <a
              key={item.path}
              href={href(item.path)}
              aria-current={
                (
                  item.path === '/'
                    ? section === '' || section === 'agents' || section === 'rollouts'
                    : path.startsWith(item.path)
                )
                  ? 'page'
                  : undefined
              }
            >
              {item.label}
              {item.path === '/plans' && awaiting > 0 && (
                <span class="count" title="plans awaiting approval">
                  {awaiting}
                </span>
              )}
            </a>
          ))}
        </nav>
        <div class="who">
          <span title={who.scopes.join(', ')}>
            {who.name} <span class="muted">({who.scopes.join(', ')})</span>
          </span>
          <button type="button" onClick={onLogout}>
            Sign out
          </button>
        </div>
      </header>
      {status.data?.frozen && (
        <div class="banner frozen" role="status">
          Frozen: no new rollouts, no further canary steps
          {status.data.freeze_reason ? ` — ${status.data.freeze_reason}` : ''}. <a href={href('/control')}>Control</a>
        </div>
      )}
      <main id="main" tabIndex={-1}>
        {view}
      </main>
      <footer>
        {who.grafana_url ? (
          <span>
            Grafana:{' '}
            {DASHBOARDS.map(([uid, title], i) => (
              <span key={uid}>
                {i > 0 && ' · '}
                <a href={`${who.grafana_url!.replace(/\/$/, '')}/d/${uid}`} target="_blank" rel="noreferrer">
                  {title}
                </a>
              </span>
            ))}
          </span>
        ) : (
          <span class="muted">Set GRAFANA_URL on oracle-api to link the dashboards.</span>
        )}
        <span class="muted">
          {' '}
          · <a href="/docs">API docs</a>
        </span>
      </footer>
      <ConfirmDialog request={request} onClose={() => setRequest(null)} />
    </div>
  );
}

export { navigate };
