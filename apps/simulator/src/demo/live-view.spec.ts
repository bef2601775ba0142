import type { FindingView, RolloutView } from '../api/wire';
import { rolloutChanges, tickLine, waitingFor } from './live-view';

const rollout = (id: string, status: string, weight: number, reason: string | null = null): RolloutView => ({
  rollout_id: id,
  agent_id: 'demo-ab12-better',
  plan_id: null,
  status,
  weight,
  step_index: 0,
  steps: [5, 25, 50, 100],
  stable_revision_id: 's',
  candidate_revision_id: 'c',
  mutation_type: 'PROMPT_PATCH',
  status_reason: reason,
  started_at: null,
  finished_at: null,
  created_at: '2026-12-07T10:00:00Z',
});
const name = (id: string) => id.split('-').at(-1)!;

describe('the demo’s live lines', () => {
  it('says when a rollout starts, steps and ends, with the reason', () => {
    expect(rolloutChanges(new Map(), [rollout('r', 'running', 5)], name)).toEqual([
      '▶ better: rollout started — PROMPT_PATCH, canary at 5 % (steps 5→25→50→100 %)',
    ]);
    const seen = new Map([['r', rollout('r', 'running', 5)]]);
    expect(rolloutChanges(seen, [rollout('r', 'running', 25)], name)).toEqual(['↗ better: canary 5 % → 25 %']);
    expect(rolloutChanges(seen, [rollout('r', 'rolled_back', 0, 'canary error rate 0.31 above 0.15')], name)).toEqual([
      '✖ better: ROLLED BACK — stable serves again (canary error rate 0.31 above 0.15)',
    ]);
    expect(rolloutChanges(seen, [rollout('r', 'retired', 0)], name)).toEqual([
      '◼ better: RETIRED — not better; the champion stays',
    ]);
    expect(rolloutChanges(new Map(), [rollout('r', 'promoted', 100)], name)).toEqual([
      '▶ better: rollout started — PROMPT_PATCH, canary at 100 % (steps 5→25→50→100 %)',
      '✔ better: PROMOTED — the candidate is now the stable config',
    ]);
    expect(rolloutChanges(seen, [rollout('r', 'running', 5)], name)).toEqual([]);
    expect(rolloutChanges(new Map(), [rollout('r', 'pending', 0)], name)).toHaveLength(1);
  });

  it('puts a tick in one line', () => {
    const result = {
      tick_id: 't',
      status: 'succeeded',
      summary: 'analyze: 2 open finding(s)',
      stages: [{ stage: 'analyze', outcome: 'done', duration_ms: 5, summary: '' }],
      started_at: '',
      finished_at: '',
    };
    expect(tickLine(3, result, 42)).toBe('tick 3: succeeded in 42 ms [analyze done] — analyze: 2 open finding(s)');
    expect(tickLine(4, null, 15000, 'POST …/tick: no answer')).toBe(
      'tick 4: failed after 15000 ms — POST …/tick: no answer',
    );
  });

  it('says what the loop waits for: the monitor’s words, the finding’s state, or the analyzer', () => {
    const finding: FindingView = {
      finding_id: 'f',
      type: 'dissatisfaction',
      agent_id: 'a',
      revision_id: null,
      severity: 'high',
      confidence: 1,
      summary: 'mean rating 2.7',
      status: 'deferred',
      deferred_reason: 'concurrency',
    };
    const base = { name: 'better', expect: 'promote' as const, findings: [], canaryShare: 0.05 };
    expect(
      waitingFor({
        ...base,
        rollouts: [rollout('r', 'running', 5)],
        lastDecision: { at: '', step_index: 0, weight: 5, action: 'inconclusive', reason: '41 of 100 canary samples' },
      }),
    ).toBe('better: canary running at 5 % (5 % of its sessions) — inconclusive: 41 of 100 canary samples');
    expect(waitingFor({ ...base, rollouts: [], findings: [finding] })).toBe(
      'better: finding dissatisfaction is deferred (concurrency) — mean rating 2.7',
    );
    expect(waitingFor({ ...base, rollouts: [] })).toMatch(/no open finding yet/);
    expect(waitingFor({ ...base, rollouts: [rollout('r', 'promoted', 100)] })).toBe('better: done — promoted');
    expect(waitingFor({ ...base, expect: 'nothing', rollouts: [] })).toBe('better: fine, nothing to do');
    expect(waitingFor({ ...base, expect: 'recover', rollouts: [] })).toBe(
      'better: healthy until the operator deploys the bad prompt',
    );
    expect(waitingFor({ ...base, expect: 'recover', broken: true, rollouts: [] })).toMatch(/no open finding yet/);
  });
});
