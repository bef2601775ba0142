import type { ComponentChildren } from 'preact';
import { useEffect, useRef, useState } from 'preact/hooks';
import type { Problem } from './api';
import { toProblem } from './hooks';

export { ago, num, pct, short, time } from './format';

/** A problem+json answer as it came: title, status, detail, and each field path with its message. */
export function ProblemBox({ problem }: { problem: Problem | undefined }) {
  if (!problem) return null;
  const extra = Object.entries(problem).filter(
    ([name]) => !['type', 'title', 'status', 'detail', 'errors', 'instance', 'request_id'].includes(name),
  );
  return (
    <div class="problem" role="alert">
      <strong>
        {problem.status ? `${problem.status} ` : ''}
        {problem.title}
      </strong>
      {problem.type && problem.type !== 'about:blank' && <span class="muted"> ({problem.type.split('/').pop()})</span>}
      {problem.detail && <div>{problem.detail}</div>}
      {problem.errors && problem.errors.length > 0 && (
        <ul>
          {problem.errors.map((error) => (
            <li key={error.path}>
              <code>{error.path || '(body)'}</code>: {error.message}
            </li>
          ))}
        </ul>
      )}
      {extra.length > 0 && <pre class="small">{JSON.stringify(Object.fromEntries(extra), null, 2)}</pre>}
    </div>
  );
}

export interface ConfirmRequest {
  title: string;
  /** What will change, named: the dialog's body. */
  body: ComponentChildren;
  confirmLabel: string;
  danger?: boolean;
  /** Ask for a reason (sent with the request). */
  reason?: { label: string; required?: boolean };
  /** Runs the action; a problem it throws is shown in the dialog, which stays open. */
  run: (reason: string) => Promise<void>;
}

/** A modal confirmation (native <dialog>: focus trapped, Escape cancels) before anything that changes the fleet. */
export function ConfirmDialog({ request, onClose }: { request: ConfirmRequest | null; onClose: () => void }) {
  const dialog = useRef<HTMLDialogElement>(null);
  const [reason, setReason] = useState('');
  const [busy, setBusy] = useState(false);
  const [problem, setProblem] = useState<Problem | undefined>(undefined);

  useEffect(() => {
    setReason('');
    setProblem(undefined);
    setBusy(false);
    if (request) dialog.current?.showModal();
    else dialog.current?.close();
  }, [request]);

  if (!request) return <dialog ref={dialog} />;
  const submit = async (event: Event) => {
    event.preventDefault();
    setBusy(true);
    setProblem(undefined);
    try {
      await request.run(reason.trim());
      onClose();
    } catch (error) {
      setProblem(toProblem(error));
      setBusy(false);
    }
  };
  return (
    <dialog ref={dialog} onClose={onClose} aria-labelledby="confirm-title">
      <form onSubmit={(event) => void submit(event)}>
        <h2 id="confirm-title">{request.title}</h2>
        <div class="confirm-body">{request.body}</div>
        {request.reason && (
          <label>
            {request.reason.label}
            <input
              name="reason"
              value={reason}
              required={request.reason.required}
              maxLength={500}
              onInput={(e) => setReason((e.target as HTMLInputElement).value)}
              autoFocus
            />
          </label>
        )}
        <ProblemBox problem={problem} />
        <div class="actions">
          <button type="button" onClick={onClose} disabled={busy}>
            Cancel
          </button>
          <button type="submit" class={request.danger ? 'danger' : 'primary'} disabled={busy}>
            {busy ? 'Working…' : request.confirmLabel}
          </button>
        </div>
      </form>
    </dialog>
  );
}

export function Badge({ value }: { value: string }) {
  return <span class={`badge b-${value.replace(/[^a-z_]/g, '')}`}>{value.replace(/_/g, ' ')}</span>;
}

export function Json({ value, summary = 'details' }: { value: unknown; summary?: string }) {
  if (value === null || value === undefined) return null;
  return (
    <details>
      <summary>{summary}</summary>
      <pre class="small">{JSON.stringify(value, null, 2)}</pre>
    </details>
  );
}

export function Loading({ loading, problem }: { loading: boolean; problem: Problem | undefined }) {
  if (problem) return <ProblemBox problem={problem} />;
  return loading ? <p class="muted">Loading…</p> : null;
}
