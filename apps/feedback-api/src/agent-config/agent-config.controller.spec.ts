import type { NestFastifyApplication } from '@nestjs/platform-fastify';
import { connectJetStream, type JetStreamContext } from '@metaloop/messaging';
import { armBucket } from '@metaloop/registry';
import { eventually, startNatsServer, type TestNatsServer } from '@metaloop/testing';
import { baselineConfig, configHarness, type ConfigHarness } from '../__tests__/config-harness';

const candidate = { ...baselineConfig, model: 'gpt-4o' };

/** A counter's value in the app's /metrics, summed over the series matching `labels`. */
async function metric(app: NestFastifyApplication, name: string, labels: Record<string, string> = {}): Promise<number> {
  const text = (await app.inject({ method: 'GET', url: '/metrics' })).body;
  let total = 0;
  for (const [, labelText, value] of text.matchAll(new RegExp(`^${name}\\{([^}]*)\\} (\\S+)$`, 'gm'))) {
    if (Object.entries(labels).every(([k, v]) => labelText!.includes(`${k}="${v}"`))) total += Number(value);
  }
  return total;
}

describe('GET /api/v1/agents/{agent_id}/config (two replicas, a private NATS)', () => {
  let nats: TestNatsServer;
  let h: ConfigHarness;
  let js: JetStreamContext;
  let baselineId: string;
  let rollout: { rolloutId: string; candidateRevisionId: string };
  // Sessions by the arm they got at 5 %.
  const sessions = Array.from({ length: 1_000 }, (_, i) => `user-${i}`);
  const armAtFive = new Map<string, string>();

  beforeAll(async () => {
    nats = await startNatsServer();
    // No resync within the suite: every change here has to arrive by message (or reconnect).
    h = await configHarness('agent_config', { CONFIG_RESYNC_MS: '3600000' }, 2, nats.url);
    js = await connectJetStream({ servers: nats.url, name: 'agent-config-spec', prefix: h.prefix });
    baselineId = await h.createAgent('helpful_assistant');
  });

  afterAll(async () => {
    await js?.nc.close();
    await h?.dispose();
    await nats?.dispose();
  });

  const [first, second] = [() => h.replicas[0]!, () => h.replicas[1]!];

  it('answers an unknown agent with a 404 problem and a request without session_id with a 400', async () => {
    const unknown = await h.getConfig(first(), 'nobody', 's1');
    expect(unknown.statusCode).toBe(404);
    expect(unknown.headers['content-type']).toMatch(/^application\/problem\+json/);
    expect(unknown.json()).toMatchObject({ status: 404, detail: 'agent "nobody" is not registered' });
    const noSession = await first().inject({ method: 'GET', url: '/api/v1/agents/helpful_assistant/config' });
    expect(noSession.statusCode).toBe(400);
    expect(noSession.json().errors.map((e: { path: string }) => e.path)).toEqual(['session_id']);
    expect(await metric(first(), 'metaloop_config_requests_total', { arm: 'none', result: 'not_found' })).toBe(1);
  });

  it('refuses an agent id Postgres cannot store (a NUL) with a 400 naming agent_id, not a 503', async () => {
    for (const id of ['%00', 'a%00b', 'agent%00']) {
      const response = await first().inject({ method: 'GET', url: `/api/v1/agents/${id}/config?session_id=s1` });
      expect(response.statusCode).toBe(400);
      expect(response.headers['content-type']).toMatch(/^application\/problem\+json/);
      expect(response.json().errors.map((e: { path: string }) => e.path)).toEqual(['agent_id']);
    }
  });

  it('serves a new agent on every replica, from the message its creation sent', async () => {
    for (const replica of [first(), second()]) {
      const response = await eventually(async () => {
        const r = await h.getConfig(replica, 'helpful_assistant', 's1');
        expect(r.statusCode).toBe(200);
        return r;
      });
      expect(response.headers['content-type']).toMatch(/^application\/json/);
      expect(response.json()).toEqual({
        agent_id: 'helpful_assistant',
        revision_id: baselineId,
        rollout_id: null,
        arm: 'stable',
        config: { ...baselineConfig, lora: [], memory: [], examples: [] },
      });
    }
    expect(await metric(second(), 'metaloop_config_changed_messages_total', { outcome: 'applied' })).toBe(1);
  });

  it('answers 304 to If-None-Match with the current ETag, 200 to a stale one', async () => {
    const fresh = await h.getConfig(first(), 'helpful_assistant', 's1');
    const etag = fresh.headers['etag'] as string;
    expect(etag).toMatch(/^"[\w-]+"$/);
    expect(fresh.headers['cache-control']).toBe('private, no-cache');
    const notModified = await h.getConfig(first(), 'helpful_assistant', 's1', {
      'if-none-match': `"other", W/${etag}`,
    });
    expect(notModified.statusCode).toBe(304);
    expect(notModified.body).toBe('');
    expect(notModified.headers['etag']).toBe(etag);
    expect((await h.getConfig(second(), 'helpful_assistant', 's2', { 'if-none-match': etag })).statusCode).toBe(304);
    expect((await h.getConfig(first(), 'helpful_assistant', 's1', { 'if-none-match': '"stale"' })).statusCode).toBe(
      200,
    );
    expect(await metric(first(), 'metaloop_config_requests_total', { arm: 'stable', result: 'not_modified' })).toBe(1);
  });

  it('keeps each session on its arm, the same on every replica, at 5 %', async () => {
    rollout = await h.startRollout('helpful_assistant', candidate, 500);
    await eventually(async () => {
      for (const replica of [first(), second()])
        expect((await h.getConfig(replica, 'helpful_assistant', 's1')).json().rollout_id).toBe(rollout.rolloutId);
    });
    for (const session of sessions) {
      const [a, b, again] = await Promise.all([
        h.getConfig(first(), 'helpful_assistant', session),
        h.getConfig(second(), 'helpful_assistant', session),
        h.getConfig(first(), 'helpful_assistant', session),
      ]);
      const body = a.json();
      expect([b.json(), again.json()]).toEqual([body, body]);
      expect(body.revision_id).toBe(body.arm === 'canary' ? rollout.candidateRevisionId : baselineId);
      expect(body.config.model).toBe(body.arm === 'canary' ? 'gpt-4o' : 'gpt-4o-mini');
      armAtFive.set(session, body.arm);
    }
    const canaries = [...armAtFive.values()].filter((arm) => arm === 'canary').length;
    // 1,000 sessions: 50 expected; ±30 is over four standard deviations
    expect(Math.abs(canaries - 50)).toBeLessThan(30);
  });

  it('moves sessions only from stable to canary when the weight rises, on every replica, and keeps unmoved ETags valid', async () => {
    const moving = sessions.find(
      (s) => armBucket(rollout.rolloutId, s) >= 500 && armBucket(rollout.rolloutId, s) < 2_500,
    )!;
    const staying = sessions.find((s) => armBucket(rollout.rolloutId, s) >= 2_500)!;
    const etagOfStaying = (await h.getConfig(second(), 'helpful_assistant', staying)).headers['etag'] as string;
    await h.store.changeLiveConfig('helpful_assistant', 'rollout_weight', (tx) =>
      tx.rollout.update({ where: { id: rollout.rolloutId }, data: { weightBp: 2_500 } }),
    );
    await eventually(async () => {
      for (const replica of [first(), second()])
        expect((await h.getConfig(replica, 'helpful_assistant', moving)).json().arm).toBe('canary');
    });
    const arms = new Map(
      await Promise.all(
        sessions.map(async (s) => [s, (await h.getConfig(second(), 'helpful_assistant', s)).json().arm] as const),
      ),
    );
    expect(sessions.filter((s) => armAtFive.get(s) === 'canary' && arms.get(s) !== 'canary')).toEqual([]);
    expect(Math.abs([...arms.values()].filter((arm) => arm === 'canary').length - 250)).toBeLessThan(60);
    // Same revision, same rollout, same arm: the client's copy is still current.
    expect(
      (await h.getConfig(second(), 'helpful_assistant', staying, { 'if-none-match': etagOfStaying })).statusCode,
    ).toBe(304);
    expect(await metric(second(), 'metaloop_config_propagation_seconds_count', { via: 'message' })).toBe(3);
  });

  it('fills revision_id into feedback from the session arm, keeps a given one, leaves unregistered agents unattributed', async () => {
    const canarySession = sessions.find((s) => armAtFive.get(s) === 'canary')!;
    const stableSession = [...sessions].reverse().find((s) => armAtFive.get(s) === 'stable')!;
    const { arm: stableArmNow } = (await h.getConfig(first(), 'helpful_assistant', stableSession)).json();
    const post = (url: string, body: unknown) =>
      first().inject({
        method: 'POST',
        url,
        payload: JSON.stringify(body),
        headers: { 'content-type': 'application/json' },
      });
    const ids = [
      (
        await post('/api/v1/feedback/collect', {
          agent_id: 'helpful_assistant',
          session_id: canarySession,
          implicit: { success: true },
        })
      ).json().event_id,
      (
        await post('/api/v1/feedback/collect', {
          agent_id: 'helpful_assistant',
          session_id: canarySession,
          revision_id: 'rev_client',
          implicit: { success: true },
        })
      ).json().event_id,
      (
        await post('/api/v1/feedback/collect', {
          agent_id: 'unregistered',
          session_id: 's',
          implicit: { success: true },
        })
      ).json().event_id,
      ...(
        await post('/api/v1/feedback/collect/bulk', {
          events: [{ agent_id: 'helpful_assistant', session_id: stableSession, explicit: { rating: 5 } }],
        })
      )
        .json()
        .results.map((r: { event_id: string }) => r.event_id),
    ];
    const stored = await storedEvents(js, ids);
    expect(ids.map((id) => stored.get(id)?.['revision_id'])).toEqual([
      rollout.candidateRevisionId,
      'rev_client',
      undefined,
      stableArmNow === 'canary' ? rollout.candidateRevisionId : baselineId,
    ]);
    expect(await metric(first(), 'metaloop_config_revision_fills_total', { result: 'hit' })).toBe(2);
    expect(await metric(first(), 'metaloop_config_revision_fills_total', { result: 'miss' })).toBe(1);
  });

  it('counts accepted feedback per agent, arm and revision for the dashboards, and forgets revisions no longer live', async () => {
    const stableId = await h.createAgent('dashboard_agent');
    const { rolloutId, candidateRevisionId } = await h.startRollout('dashboard_agent', candidate, 10_000);
    await eventually(async () =>
      expect((await h.getConfig(first(), 'dashboard_agent', 's1')).json().arm).toBe('canary'),
    );
    const post = (body: object) => first().inject({ method: 'POST', url: '/api/v1/feedback/collect', payload: body });
    const event = (fields: object) => ({ agent_id: 'dashboard_agent', session_id: 's1', ...fields });
    await post(event({ implicit: { success: true, response_time_ms: 400 } }));
    await post(
      event({
        implicit: { success_rate: 0.25, response_time_ms: 2_500 },
        explicit: { rating: 2, helpful: false, complaint: 'too long' },
      }),
    );
    await post(event({ revision_id: stableId, implicit: { success: false } }));
    const duplicate = event({ event_id: 'dash-dup', implicit: { success: true } });
    await post(duplicate);
    await post(duplicate);
    const canary = { agent_id: 'dashboard_agent', arm: 'canary', revision_id: candidateRevisionId };
    expect(await metric(first(), 'metaloop_agent_outcomes_total', canary)).toBe(3);
    expect(await metric(first(), 'metaloop_agent_successes_total', canary)).toBe(2.25);
    expect(await metric(first(), 'metaloop_agent_response_seconds_count', canary)).toBe(2);
    expect(await metric(first(), 'metaloop_agent_outcomes_total', { arm: 'stable', revision_id: stableId })).toBe(1);
    expect(await metric(first(), 'metaloop_feedback_rating_sum', { agent_id: 'dashboard_agent' })).toBe(2);
    expect(
      await metric(first(), 'metaloop_feedback_helpful_total', { agent_id: 'dashboard_agent', helpful: 'false' }),
    ).toBe(1);
    expect(await metric(first(), 'metaloop_feedback_complaints_total', { agent_id: 'dashboard_agent' })).toBe(1);

    // The rollout ends: its candidate is no longer live, and its series go.
    await h.store.changeLiveConfig('dashboard_agent', 'rollout_rolled_back', async (tx) => {
      await tx.rollout.update({ where: { id: rolloutId }, data: { status: 'rolled_back', weightBp: 0 } });
      await tx.agent.update({ where: { id: 'dashboard_agent' }, data: { activeRolloutId: null } });
    });
    await eventually(async () =>
      expect((await first().inject({ method: 'GET', url: '/metrics' })).body).not.toContain(candidateRevisionId),
    );
    expect(await metric(first(), 'metaloop_agent_outcomes_total', { arm: 'stable', revision_id: stableId })).toBe(1);
  });

  it('ignores stale and invalid config.changed messages', async () => {
    const stale = await metric(first(), 'metaloop_config_changed_messages_total', { outcome: 'stale' });
    js.nc.publish(
      `${h.prefix}.config.changed`,
      JSON.stringify({
        agent_id: 'helpful_assistant',
        version: 1,
        reason: 'replayed',
        changed_at: new Date().toISOString(),
      }),
    );
    js.nc.publish(`${h.prefix}.config.changed`, JSON.stringify({ agent_id: 'has.dot', version: 'x' }));
    await eventually(async () => {
      expect(await metric(first(), 'metaloop_config_changed_messages_total', { outcome: 'stale' })).toBe(stale + 1);
      expect(await metric(first(), 'metaloop_config_changed_messages_total', { outcome: 'invalid' })).toBe(1);
    });
    expect((await h.getConfig(first(), 'helpful_assistant', 's1')).json().rollout_id).toBe(rollout.rolloutId);
  });

  it('catches up on a change it missed while NATS was down by reloading after the reconnect', async () => {
    await nats.kill();
    await eventually(async () =>
      expect((await first().inject({ method: 'GET', url: '/health/ready' })).statusCode).toBe(503),
    );
    // The orchestrator rolls back while NATS is down: the change commits, its message is lost.
    await h.store.changeLiveConfig('helpful_assistant', 'rolled_back', async (tx) => {
      await tx.rollout.update({ where: { id: rollout.rolloutId }, data: { status: 'rolled_back' } });
      await tx.agent.update({ where: { id: 'helpful_assistant' }, data: { activeRolloutId: null } });
    });
    expect((await h.getConfig(second(), 'helpful_assistant', 's1')).json().rollout_id).toBe(rollout.rolloutId);

    await nats.start();
    await eventually(async () => {
      for (const replica of [first(), second()])
        expect((await h.getConfig(replica, 'helpful_assistant', 's1')).json()).toMatchObject({
          rollout_id: null,
          revision_id: baselineId,
        });
    }, 20_000);
    expect(await metric(second(), 'metaloop_config_propagation_seconds_count', { via: 'reconnect' })).toBe(1);
  });

  it('shows the endpoint in the OpenAPI document', async () => {
    const spec = (await first().inject({ method: 'GET', url: '/docs/json' })).json();
    expect(JSON.stringify(spec.paths['/api/v1/agents/{agent_id}/config'].get)).toContain('session_id');
  });
});

/** The events with these ids in the FEEDBACK stream, by id. */
async function storedEvents(js: JetStreamContext, ids: string[]): Promise<Map<string, Record<string, unknown>>> {
  const found = new Map<string, Record<string, unknown>>();
  const stream = js.topology.streams.feedback.name;
  const info = await js.jsm.streams.info(stream);
  for (let seq = info.state.first_seq; seq <= info.state.last_seq; seq++) {
    const message = await js.jsm.streams.getMessage(stream, { seq });
    for (const event of message?.json<{ events: Array<Record<string, unknown>> }>().events ?? []) {
      if (ids.includes(event['event_id'] as string)) found.set(event['event_id'] as string, event);
    }
  }
  return found;
}
