import { execFile } from 'node:child_process';
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { promisify } from 'node:util';
import type { PlanList, RolloutList } from '@metaloop/contracts';
import { createRandom } from '@metaloop/stats';
import { eventually, WORKSPACE_ROOT } from '@metaloop/testing';
import type { Browser, Locator, Page } from 'playwright-core';
import { chromiumAvailable, launchChromium } from './console-browser';
import { startKeyedMesh, type KeyedMesh } from './fuzz/fuzz-mesh';
import { APPS } from './mesh';
import { fastPolicyFile } from './rollout-driver';

const run = promisify(execFile);

/** Agents whose users are unhappy (each with a better prompt registered), and one that is fine. */
const FLEET = [
  { agentId: 'support_bot', environment: 'dev', success: 0.3 },
  { agentId: 'billing_bot', environment: 'staging', success: 0.3 },
  { agentId: 'onboarding_bot', environment: 'staging', success: 0.3 },
  { agentId: 'search_bot', environment: 'prod', success: 0.95 },
] as const;

/** Where the suite leaves a screenshot of each view, when set (README's pictures: CONSOLE_SCREENSHOTS=docs). */
const SHOTS = process.env['CONSOLE_SCREENSHOTS'] ? join(WORKSPACE_ROOT, process.env['CONSOLE_SCREENSHOTS']) : null;

const describeWithChromium = chromiumAvailable('console.e2e.ts (the operator console in a browser)')
  ? describe
  : describe.skip;

/**
 * The operator console in a real browser (Debian's chromium through playwright-core) against the
 * mesh with keys enforced: a tick starts a canary in dev and leaves two staging plans waiting for a
 * person (a policy rule); the operator signs in, sees the canary, approves one plan and sees it
 * execute, rolls an agent back and the stable config is what feedback-api serves again; a key
 * with oracle:read alone sees the plan but no approve button and no rollback.
 */
describeWithChromium('operator console (browser against the mesh)', () => {
  let mesh: KeyedMesh;
  let browser: Browser;
  let readKey: string;
  /** What a person on call holds: read, approve and execute, roll back and freeze. */
  let operatorKey: string;
  let running = true;
  let traffic: Promise<void> = Promise.resolve();
  let oracle: string;
  let feedback: string;

  const call = async <T>(base: string, method: string, path: string, body?: unknown, expected = [200]): Promise<T> => {
    const response = await fetch(`${base}${path}`, {
      method,
      headers: { authorization: `Bearer ${mesh.adminKey}`, 'content-type': 'application/json' },
      body: body === undefined ? undefined : JSON.stringify(body),
    });
    const text = await response.text();
    if (!expected.includes(response.status)) throw new Error(`${method} ${path}: ${response.status} ${text}`);
    return (text ? JSON.parse(text) : undefined) as T;
  };

  beforeAll(async () => {
    const policy = fastPolicyFile({
      // Canaries hold at their first step: the test acts on them, not the monitor.
      canary: { steps: [10, 50, 100], analysis_interval_seconds: 1, min_samples_per_arm: 100_000 },
      approval: {
        high_risk: { required: true, above: 6 },
        rules: [
          { types: ['PROMPT_PATCH'], environments: ['staging'], reason: 'prompt changes in staging need a person' },
        ],
      },
    });
    mesh = await startKeyedMesh('console', { POLICIES_PATH: policy, TICK_INTERVAL_MINUTES: '0' });
    const createKey = async (name: string, scopes: string) => {
      const created = await run(
        process.execPath,
        [join(WORKSPACE_ROOT, 'libs/auth/dist/create-key-cli.js'), '--name', name, '--scopes', scopes],
        { env: { PATH: process.env.PATH ?? '', DATABASE_URL: mesh.schema.url } },
      );
      return /\b(mlk_[a-z0-9]{8}_[A-Za-z0-9_-]{43})\b/.exec(created.stdout)![1]!;
    };
    operatorKey = await createKey('operator', 'oracle:read,oracle:execute,oracle:rollback');
    readKey = await createKey('viewer', 'oracle:read');
    browser = await launchChromium();
    await Promise.all(APPS.map((name) => mesh.apps[name].waitForReady(60_000)));
    oracle = mesh.apps['oracle-api'].url;
    feedback = mesh.apps['feedback-api'].url;
    for (const agent of FLEET) {
      await call(
        oracle,
        'POST',
        '/api/v1/agents',
        {
          agent_id: agent.agentId,
          environment: agent.environment,
          config: { model: 'llama-3-8b', prompt: { version: 'v1', template: 'You help.' } },
        },
        [201],
      );
      await call(
        oracle,
        'POST',
        `/api/v1/agents/${agent.agentId}/candidates`,
        { type: 'prompt', version: 'v2', template: 'You help, carefully and briefly.' },
        [201],
      );
    }
    traffic = drive();
  }, 120_000);

  afterAll(async () => {
    running = false;
    await traffic;
    await browser?.close();
    await mesh?.stop();
  });

  /** Sessions of every agent: config from feedback-api (sticky arm), then what the user thought. */
  async function drive(): Promise<void> {
    const random = createRandom(18);
    let session = 0;
    const one = async (agent: (typeof FLEET)[number]) => {
      const id = `${agent.agentId}-s${session++}`;
      await call(feedback, 'GET', `/api/v1/agents/${agent.agentId}/config?session_id=${id}`);
      const good = random.next() < agent.success;
      await call(
        feedback,
        'POST',
        '/api/v1/feedback/collect',
        {
          agent_id: agent.agentId,
          session_id: id,
          explicit: { rating: good ? 5 : 1, helpful: good },
          implicit: { success: good, response_time_ms: 250 + 150 * random.next() },
        },
        [202],
      );
    };
    while (running) {
      await Promise.all(FLEET.flatMap((agent) => [one(agent), one(agent)]).map((p) => p.catch(() => undefined)));
    }
  }

  const shot = async (page: Page, name: string, fullPage = true) => {
    if (!SHOTS) return;
    mkdirSync(SHOTS, { recursive: true });
    await page.waitForTimeout(300); // charts and badges settle after the last poll
    await page.screenshot({ path: join(SHOTS, `console-${name}.png`), fullPage });
  };

  async function signIn(page: Page, key: string): Promise<void> {
    await page.goto(`${oracle}/console`);
    await page.getByLabel('API key').fill(key);
    await page.getByRole('button', { name: 'Sign in' }).click();
    await page.getByRole('heading', { name: 'Fleet' }).waitFor();
  }

  it('signs in, shows the canary a tick started, approves a waiting plan and sees it execute, rolls an agent back, freezes and thaws', async () => {
    // The loop, by REST as its scheduler would: ticks until the dev canary runs and both staging plans wait.
    await eventually(
      async () => {
        await call(oracle, 'POST', '/api/v1/oracle/tick', { time_window_hours: 0.05 });
        const waiting = await call<PlanList>(oracle, 'GET', '/api/v1/oracle/plans?status=awaiting_approval');
        const rollouts = await call<RolloutList>(
          oracle,
          'GET',
          '/api/v1/oracle/rollouts?agent_id=support_bot&status=running',
        );
        const staging = new Set(waiting.items.flatMap((plan) => plan.mutations.map((m) => m.agent_id)));
        if (rollouts.items.length !== 1 || !staging.has('billing_bot') || !staging.has('onboarding_bot')) {
          throw new Error(`not yet: ${rollouts.items.length} running, waiting for ${[...staging].join(',')}`);
        }
      },
      45_000,
      1_000,
    );

    const context = await browser.newContext({ viewport: { width: 1280, height: 860 } });
    const page = await context.newPage();
    await signIn(page, operatorKey);
    const supportRow = page.locator('tr[data-agent="support_bot"]');
    await supportRow.getByText('10 %').waitFor();
    await expectText(supportRow, /running.*PROMPT_PATCH/);

    // The first view, once the page is cached as a person's second visit would have it.
    const started = performance.now();
    await page.reload();
    await supportRow.getByText('10 %').waitFor();
    process.stdout.write(
      `console: fleet view with data in ${Math.round(performance.now() - started)} ms after reload\n`,
    );
    await shot(page, 'fleet');

    // The rollout the tick started: its steps, weight and decisions.
    await supportRow.getByRole('link', { name: /running/ }).click();
    await page.getByRole('heading', { name: /Rollout/ }).waitFor();
    await page.locator('tr.d-start').first().waitFor();
    await page.getByText('Guarded metrics per arm').waitFor();
    if (SHOTS) {
      // The picture shows one look's evidence opened: the guarded tests, thresholds and score.
      await page.locator('tr.d-inconclusive').nth(1).waitFor();
      await page.locator('tr.d-inconclusive summary').first().click();
    }
    await shot(page, 'rollout');

    // Plans: the two waiting ones first; approve billing_bot's with a reason, and it executes.
    await page.getByRole('navigation').getByRole('link', { name: /Plans/ }).click();
    const billing = page.locator('article.plan', { hasText: 'billing_bot' }).first();
    await expectText(billing, /awaiting approval/);
    await expectText(billing, /risk approval/);
    await shot(page, 'plans');
    await billing.getByRole('button', { name: 'Approve…' }).click();
    const dialog = page.getByRole('dialog');
    await expectText(dialog, /billing_bot.*PROMPT_PATCH/s);
    await dialog.getByLabel('Reason').fill('reviewed the prompt');
    await dialog.getByRole('button', { name: 'Approve and execute' }).click();
    await dialog.waitFor({ state: 'hidden' });
    await expectText(billing, /executing|queued|completed/);
    const billingRollout = await eventually(async () => {
      const { items } = await call<RolloutList>(
        oracle,
        'GET',
        '/api/v1/oracle/rollouts?agent_id=billing_bot&status=running',
      );
      if (items.length !== 1) throw new Error('billing_bot has no running rollout yet');
      return items[0]!;
    }, 20_000);
    const approved = (await call<PlanList>(oracle, 'GET', `/api/v1/oracle/plans?agent_id=billing_bot`)).items[0]!;
    expect(approved).toMatchObject({ decision_reason: 'reviewed the prompt', plan_id: billingRollout.plan_id });

    // Roll support_bot back from its page: a session that was on the canary is served stable again.
    const { items: supportRollouts } = await call<RolloutList>(
      oracle,
      'GET',
      '/api/v1/oracle/rollouts?agent_id=support_bot',
    );
    const canary = supportRollouts[0]!;
    const canarySession = await sessionOnCanary('support_bot');
    await page.goto(`${oracle}/console/agents/support_bot`);
    await page.getByRole('heading', { name: /support_bot/ }).waitFor();
    await page.getByRole('heading', { name: 'Revisions' }).waitFor();
    await page.locator('.revisions button').first().click(); // the candidate's diff against its parent
    await page.getByText('Changes from its parent').waitFor();
    await shot(page, 'agent');
    await page.getByRole('button', { name: 'Roll back this agent' }).click();
    await expectText(dialog, new RegExp(`stable revision ${canary.stable_revision_id}`));
    await dialog.getByLabel('Reason').fill('console e2e');
    await dialog.getByRole('button', { name: 'Roll back support_bot' }).click();
    await dialog.waitFor({ state: 'hidden' });
    // The rollback answered once routing was back on stable; feedback-api hears of it on config.changed.
    const served = await eventually(async () => {
      const config = await call<{ revision_id: string; arm: string; rollout_id: string | null }>(
        feedback,
        'GET',
        `/api/v1/agents/support_bot/config?session_id=${canarySession}`,
      );
      if (config.arm !== 'stable') throw new Error(`still served ${JSON.stringify(config)}`);
      return config;
    }, 10_000);
    expect(served).toMatchObject({ revision_id: canary.stable_revision_id, arm: 'stable', rollout_id: null });
    await expectText(page.locator('main'), /rolled back/);

    await page.getByRole('navigation').getByRole('link', { name: 'Audit' }).click();
    await page.locator('td', { hasText: 'rollout.rolled_back' }).first().waitFor();
    await shot(page, 'audit', false);
    await page.getByRole('navigation').getByRole('link', { name: 'Control' }).click();
    await page.getByRole('button', { name: 'Emergency: roll back all…' }).waitFor();
    await page.getByRole('button', { name: 'Roll back rollout' }).first().waitFor();
    await shot(page, 'control');

    // Freeze from the console: the banner says so on every page, the API agrees; then thaw.
    await page.getByRole('button', { name: 'Freeze…' }).click();
    await expectText(dialog, /No new rollout starts.*1 live canary holds/s);
    await dialog.getByLabel('Reason').fill('incident 42');
    await dialog.getByRole('button', { name: 'Freeze', exact: true }).click();
    await dialog.waitFor({ state: 'hidden' });
    await expectText(page.getByRole('status'), /Frozen: .*incident 42/);
    expect(await call<{ frozen: boolean }>(oracle, 'GET', '/api/v1/oracle/status')).toMatchObject({ frozen: true });
    await page.getByRole('button', { name: 'Unfreeze…' }).click();
    await dialog.getByRole('button', { name: 'Unfreeze', exact: true }).click();
    await page.getByRole('status').waitFor({ state: 'detached' });
    expect(await call<{ frozen: boolean }>(oracle, 'GET', '/api/v1/oracle/status')).toMatchObject({ frozen: false });

    if (SHOTS) {
      await page.setViewportSize({ width: 390, height: 844 });
      await page.goto(`${oracle}/console`);
      await page.locator('tr[data-agent="billing_bot"]').waitFor();
      await shot(page, 'fleet-phone');
    }
    await context.close();
  }, 120_000);

  it('an unknown key gets the 401 problem; a key with oracle:read alone sees the waiting plan but no approve, reject, freeze or rollback button', async () => {
    const context = await browser.newContext({ viewport: { width: 1280, height: 860 } });
    const page = await context.newPage();
    // A key the API does not know: its 401 problem, as the API says it.
    await page.goto(`${oracle}/console`);
    await page.getByLabel('API key').fill('mlk_unknown0_not-a-key');
    await page.getByRole('button', { name: 'Sign in' }).click();
    await expectText(page.getByRole('alert'), /401 Unauthorized/);

    await signIn(page, readKey);
    // Keyboard: the first Tab reaches the skip link, the next ones the views.
    await page.keyboard.press('Tab');
    expect(await page.evaluate('document.activeElement.textContent')).toBe('Skip to content');
    await page.keyboard.press('Tab');
    await page.keyboard.press('Tab');
    expect(await page.evaluate('document.activeElement.textContent')).toBe('Fleet');
    await expectText(page.locator('header'), /viewer.*oracle:read/);
    await page.getByRole('navigation').getByRole('link', { name: /Plans/ }).click();
    const onboarding = page.locator('article.plan', { hasText: 'onboarding_bot' }).first();
    await expectText(onboarding, /awaiting approval/);
    await page.getByText('This key lacks oracle:execute').waitFor();
    expect(await page.getByRole('button', { name: /Approve|Reject|Execute/ }).count()).toBe(0);

    await page.getByRole('navigation').getByRole('link', { name: 'Control' }).click();
    await page.getByText('This key lacks oracle:rollback').waitFor();
    await page.getByRole('heading', { name: /Live rollouts \(1\)/ }).waitFor();
    expect(await page.getByRole('button', { name: /Roll back|Freeze|Unfreeze/ }).count()).toBe(0);
    await page.goto(`${oracle}/console/agents/billing_bot`);
    await page.getByRole('heading', { name: 'Rollout history' }).waitFor();
    expect(await page.getByRole('button', { name: /Roll back/ }).count()).toBe(0);

    // The API agrees: the same key is refused the approval the page does not offer.
    const plan = (
      await call<PlanList>(oracle, 'GET', '/api/v1/oracle/plans?agent_id=onboarding_bot&status=awaiting_approval')
    ).items[0]!;
    const refused = await fetch(`${oracle}/api/v1/oracle/plans/${plan.plan_id}/approve`, {
      method: 'POST',
      headers: { authorization: `Bearer ${readKey}`, 'content-type': 'application/json' },
      body: '{}',
    });
    expect(refused.status).toBe(403);
    await context.close();
  }, 60_000);

  /** A session feedback-api serves from the agent's canary (its sticky arm). */
  async function sessionOnCanary(agentId: string): Promise<string> {
    for (let i = 0; i < 2_000; i++) {
      const session = `${agentId}-probe-${i}`;
      const served = await call<{ arm: string }>(
        feedback,
        'GET',
        `/api/v1/agents/${agentId}/config?session_id=${session}`,
      );
      if (served.arm === 'canary') return session;
    }
    throw new Error(`no session of ${agentId} is on the canary`);
  }
});

/** Until the element's text matches (Playwright's own polling, no fixed wait). */
async function expectText(locator: Locator, pattern: RegExp): Promise<void> {
  await eventually(
    async () => {
      const text = (await locator.innerText()).replace(/\s+/g, ' ');
      if (!pattern.test(text)) throw new Error(`${pattern} not in: ${text.slice(0, 400)}`);
    },
    15_000,
    100,
  );
}
