import { APPS, startMesh, type Mesh } from './mesh';

/**
 * Seed 004's "Basic Usage", line by line, on a fresh system (the three apps as processes over a
 * new schema): collect → analyze → plan → validate → `if overall_passed: execute`. httpx does
 * not raise on an error status, so each step also checks that its answer is a success with the
 * keys the next line reads; with nothing to fix yet, the plan holds no mutations, validate says
 * why it does not pass, and execute is never reached.
 */
describe("seed 004's Basic Usage, verbatim, on a fresh install", () => {
  let mesh: Mesh;
  const calls: string[] = [];

  beforeAll(async () => {
    mesh = await startMesh('seed_basic_usage');
    await Promise.all(APPS.map((name) => mesh.apps[name].waitForReady(60_000)));
  });
  afterAll(() => mesh?.stop());

  /** `httpx.post(url, json=body)`: the response, whose status the seed never looks at. */
  async function httpxPost(
    url: string,
    json: unknown,
  ): Promise<{ status: number; json: () => Record<string, unknown> }> {
    calls.push(new URL(url).pathname);
    const response = await fetch(url, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify(json),
    });
    const body = (await response.json()) as Record<string, unknown>;
    expect(response.status).toBeLessThan(300);
    return { status: response.status, json: () => body };
  }

  it('runs to its end: an empty plan validates to overall_passed false with a reason, and execute is not called', async () => {
    const feedbackApi = mesh.apps['feedback-api'].url;
    const oracleApi = mesh.apps['oracle-api'].url;

    // Explicit user feedback
    const feedback = {
      agent_id: 'helpful_assistant',
      session_id: 'user_123_session',
      explicit: { rating: 4.5, helpful: true },
      implicit: { response_time_ms: 250, success_rate: 0.95 },
    };
    let response = await httpxPost(`${feedbackApi}/api/v1/feedback/collect`, feedback);
    expect(response.status).toBe(202);

    // Analyze recent feedback
    const analysis_request = { time_window_hours: 24, event_limit: 1000 };
    response = await httpxPost(`${oracleApi}/api/v1/oracle/analyze`, analysis_request);
    const findings = response.json()['analysis'];
    expect(findings).toMatchObject({ findings: [] });

    // Create mutation plan
    const plan_request = { findings: findings };
    response = await httpxPost(`${oracleApi}/api/v1/oracle/plan`, plan_request);
    const plan = response.json()['plan'] as Record<string, unknown>;
    expect(plan).toMatchObject({
      plan_id: expect.any(String),
      mutations: [],
      rationale: expect.stringMatching(/^nothing to roll out/),
    });

    // Safety validation
    const validate_request = { plan: plan };
    const validation = await httpxPost(`${oracleApi}/api/v1/oracle/validate`, validate_request);

    if (validation.json()['overall_passed']) {
      // Execute changes
      const execute_request = { plan: plan, dry_run: false };
      await httpxPost(`${oracleApi}/api/v1/oracle/execute`, execute_request);
    }

    expect(validation.json()).toMatchObject({ overall_passed: false, requires_approval: false });
    expect(validation.json()['gates']).toEqual(
      expect.arrayContaining([
        expect.objectContaining({
          gate: 'policy_compliance',
          status: 'fail',
          reason: expect.stringMatching(/no mutations/),
        }),
      ]),
    );
    expect(calls).toEqual([
      '/api/v1/feedback/collect',
      '/api/v1/oracle/analyze',
      '/api/v1/oracle/plan',
      '/api/v1/oracle/validate',
    ]);
  });
});
