import { LiveConfigStore, RevisionsService } from '@metaloop/registry';
import { QUEUES } from '@metaloop/contracts';
import { getQueueToken } from '@nestjs/bullmq';
import type { Queue } from 'bullmq';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { oracleHarness, type OracleHarness } from '../../__tests__/oracle-harness';

const config = { model: 'gpt-4o-mini', prompt: { version: 'v1', template: 'You are a helpful assistant.' } };

describe('operator control over REST: rollback, freeze, rollouts, audit (no orchestrator running)', () => {
  let h: OracleHarness;

  beforeAll(async () => {
    const policyPath = join(mkdtempSync(join(tmpdir(), 'oracle-control-')), 'policies.yaml');
    writeFileSync(policyPath, JSON.stringify({ freeze: { in_flight: 'rollback' } }));
    h = await oracleHarness('oracle_control', { POLICIES_PATH: policyPath });
  });
  afterAll(() => h?.dispose());

  const call = (method: 'GET' | 'POST', url: string, payload?: unknown) =>
    h.apps[0]!.inject({ method, url, ...(payload === undefined ? {} : { payload: payload as object }) });

  /** A registered agent with a canary running at 25 % whose adapter loaded a LoRA adapter (as the orchestrator leaves it). */
  async function runningCanary(agentId: string): Promise<{ rolloutId: string; rollbackKey: string; stable: string }> {
    expect((await call('POST', '/api/v1/agents', { agent_id: agentId, environment: 'prod', config })).statusCode).toBe(
      201,
    );
    const [{ stable_revision_id: stable }] = await h.query<{ stable_revision_id: string }>(
      `SELECT stable_revision_id FROM agents WHERE id = $1`,
      [agentId],
    );
    const candidate = await h.apps[0]!.get(RevisionsService).createRevision(
      agentId,
      stable,
      { ...config, prompt: { version: 'v2', template: 'Be brief.' } },
      'PROMPT_PATCH',
      null,
      'test',
    );
    const rollbackKey = `rollback_${agentId}`;
    const [{ id }] = await h.query<{ id: string }>(
      `INSERT INTO rollouts (id, agent_id, mutation_type, stable_revision_id, candidate_revision_id, status, weight_bp, step_index, steps, rollback_key, adapter_state, started_at, updated_at)
       VALUES (gen_random_uuid(), $1, 'LORA_APPLY', $2, $3, 'running', 2500, 1, '{5,25,50,100}', $4, $5, now(), now()) RETURNING id`,
      [
        agentId,
        stable,
        candidate.revision_id,
        rollbackKey,
        {
          type: 'LORA_APPLY',
          operation_id: agentId,
          effects: [{ effect: { kind: 'lora_load', lora_name: 'x', lora_path: '/x' }, status: 'done' }],
        },
      ],
    );
    await h.query(`UPDATE agents SET active_rollout_id = $1 WHERE id = $2`, [id, agentId]);
    await h.query(
      `INSERT INTO rollout_decisions (id, rollout_id, step_index, weight_bp, action, reason, statistics, actor) VALUES (gen_random_uuid(), $1, 0, 500, 'start', 'canary started at 5 %', '{}', 'system:orchestrator')`,
      [id],
    );
    return { rolloutId: id, rollbackKey, stable };
  }

  it('takes seed 004’s body verbatim: an unknown rollback_key is a 404 problem', async () => {
    const response = await call('POST', '/api/v1/oracle/rollback', { rollback_key: 'rollback_12345', emergency: true });
    expect(response.statusCode).toBe(404);
    expect(response.headers['content-type']).toMatch(/^application\/problem\+json/);
    expect(response.json()).toMatchObject({
      status: 404,
      detail: 'no rollout has rollback_key "rollback_12345"',
      type: 'urn:metaloop:problem:rollback-target-not-found',
    });
  });

  it('rolls back by rollback_key itself: stable is live when it answers, the revert waits for the orchestrator', async () => {
    const { rolloutId, rollbackKey, stable } = await runningCanary('ctl_key');
    const response = await call('POST', '/api/v1/oracle/rollback', {
      rollback_key: rollbackKey,
      emergency: true,
      reason: 'pager',
    });
    expect(response.statusCode).toBe(200);
    expect(response.json()).toEqual({
      rolled_back: [
        expect.objectContaining({
          rollout_id: rolloutId,
          status: 'rolled_back',
          weight: 0,
          revert_status: 'pending',
          revert_attempts: 0,
          status_reason: 'pager',
          rollback_key: rollbackKey,
        }),
      ],
      already_finished: [],
    });
    expect(await h.apps[0]!.get(LiveConfigStore).loadLiveState('ctl_key')).toMatchObject({
      stable: { revisionId: stable },
      rollout: null,
    });
    const queue = h.apps[0]!.get<Queue>(getQueueToken(QUEUES.reverts), { strict: false });
    expect(await queue.getJob(`revert-${rolloutId}`)).toMatchObject({ data: { rollout_id: rolloutId } });
    expect((await call('POST', '/api/v1/oracle/rollback', { rollout_id: rolloutId })).json()).toEqual({
      rolled_back: [],
      already_finished: [rolloutId],
    });
  });

  it.each([
    ['no selector', { emergency: true }],
    ['two selectors', { agent_id: 'a', all: true }],
    ['a rollout id that is no uuid', { rollout_id: 'r1' }],
  ])('answers %s with a 400 problem', async (_name, body) => {
    expect((await call('POST', '/api/v1/oracle/rollback', body)).statusCode).toBe(400);
  });

  it('freezes, rolling running canaries back as the policy says (freeze.in_flight: rollback), and thaws', async () => {
    const { rolloutId } = await runningCanary('ctl_freeze');
    const frozen = await call('POST', '/api/v1/oracle/freeze', { frozen: true, reason: 'incident 7' });
    expect(frozen.statusCode).toBe(200);
    expect(frozen.json()).toMatchObject({
      frozen: true,
      reason: 'incident 7',
      updated_by: 'anonymous',
      in_flight: 'rollback',
      rolled_back: [expect.objectContaining({ rollout_id: rolloutId })],
    });
    expect((await call('POST', '/api/v1/oracle/freeze', { frozen: false })).json()).toMatchObject({
      frozen: false,
      rolled_back: [],
    });
  });

  it('lists rollouts by agent and status, and shows one with its decision history', async () => {
    const { rolloutId } = await runningCanary('ctl_list');
    const list = await call('GET', '/api/v1/oracle/rollouts?agent_id=ctl_list&status=running');
    expect(list.json()).toEqual({
      items: [
        expect.objectContaining({
          rollout_id: rolloutId,
          agent_id: 'ctl_list',
          status: 'running',
          weight: 25,
          steps: [5, 25, 50, 100],
        }),
      ],
      next_cursor: null,
    });
    const all = await call('GET', '/api/v1/oracle/rollouts?limit=2');
    expect(all.json()).toMatchObject({
      items: [expect.anything(), expect.anything()],
      next_cursor: expect.any(String),
    });
    const detail = await call('GET', `/api/v1/oracle/rollouts/${rolloutId}`);
    expect(detail.json()).toMatchObject({
      rollout_id: rolloutId,
      decisions: [{ action: 'start', weight: 5, reason: 'canary started at 5 %', actor: 'system:orchestrator' }],
    });
    expect((await call('GET', '/api/v1/oracle/rollouts/00000000-0000-4000-8000-000000000000')).statusCode).toBe(404);
    expect((await call('GET', '/api/v1/oracle/rollouts?status=sideways')).statusCode).toBe(400);
  });

  it('shows the audit trail of rollbacks and freezes, filtered and paged', async () => {
    const rollbacks = await call('GET', '/api/v1/oracle/audit?action=rollout.rolled_back&limit=1');
    expect(rollbacks.json()).toMatchObject({
      items: [
        { action: 'rollout.rolled_back', agent_id: 'ctl_freeze', details: { reason: 'freeze', trigger: 'operator' } },
      ],
      next_cursor: expect.any(String),
    });
    const older = await call(
      'GET',
      `/api/v1/oracle/audit?action=rollout.rolled_back&cursor=${rollbacks.json().next_cursor}`,
    );
    expect(older.json()).toMatchObject({
      items: [{ agent_id: 'ctl_key', reason: 'pager', details: { reason: 'emergency' } }],
    });
    const freezes = await call('GET', '/api/v1/oracle/audit?entity_type=control');
    expect(freezes.json().items.map((e: { action: string }) => e.action)).toEqual(['freeze.off', 'freeze.on']);
  });
});
