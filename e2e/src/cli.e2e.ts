import { execFile, execFileSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { eventually, WORKSPACE_ROOT } from '@metaloop/testing';
import { APPS, startMesh, type Mesh } from './mesh';
import { fastPolicyFile, post, promptMutation, queuePlan, registerAgent, sql, waitForRollout } from './rollout-driver';

/**
 * The `metaloop` command as a person runs it: the built binary (apps/cli/bin/metaloop.js) as a
 * child process against one running mesh, every verb, its exit status and what it prints.
 */
const BIN = join(WORKSPACE_ROOT, 'apps', 'cli', 'bin', 'metaloop.js');
const AGENT = 'cli_agent';
const SUBJECT = 'cli-user-1';

/** The ISO week (2026-W49) of a date, in UTC. */
function isoWeek(date: Date): string {
  const day = new Date(Date.UTC(date.getUTCFullYear(), date.getUTCMonth(), date.getUTCDate()));
  const weekday = day.getUTCDay() || 7;
  day.setUTCDate(day.getUTCDate() + 4 - weekday);
  const yearStart = Date.UTC(day.getUTCFullYear(), 0, 1);
  const week = Math.ceil(((day.getTime() - yearStart) / 86_400_000 + 1) / 7);
  return `${day.getUTCFullYear()}-W${String(week).padStart(2, '0')}`;
}

interface Run {
  code: number;
  stdout: string;
  stderr: string;
}

describe('the metaloop CLI against the running mesh', () => {
  let mesh: Mesh;
  let env: Record<string, string>;
  /** Every verb a test ran, to prove at the end that none went untested. */
  const ran = new Set<string>();
  const work = mkdtempSync(join(tmpdir(), 'metaloop-cli-'));

  /** `metaloop …args` in a scratch folder, with only PATH and the mesh's URLs set. */
  function metaloop(args: string[], extraEnv: Record<string, string> = {}): Promise<Run> {
    ran.add(args[0]!);
    return new Promise((resolve) => {
      execFile(
        process.execPath,
        [BIN, ...args],
        { cwd: work, env: { ...env, ...extraEnv }, timeout: 60_000 },
        (error, stdout, stderr) => resolve({ code: error ? Number(error.code ?? 1) : 0, stdout, stderr }),
      );
    });
  }

  /** Runs it and expects `code`, showing stdout and stderr when it differs. */
  async function expectRun(args: string[], code: number, extraEnv: Record<string, string> = {}): Promise<Run> {
    const run = await metaloop(args, extraEnv);
    expect({ args, ...run }).toMatchObject({ args, code });
    return run;
  }

  beforeAll(async () => {
    execFileSync(process.execPath, [join(WORKSPACE_ROOT, 'scripts', 'compile.mjs')], {
      cwd: join(WORKSPACE_ROOT, 'apps', 'cli'),
      stdio: 'ignore',
    });
    mesh = await startMesh('cli', { POLICIES_PATH: fastPolicyFile() });
    await Promise.all(APPS.map((name) => mesh.apps[name].waitForReady(60_000)));
    env = {
      PATH: process.env['PATH'] ?? '',
      METALOOP_URL: mesh.apps['oracle-api'].url,
      METALOOP_FEEDBACK_URL: mesh.apps['feedback-api'].url,
    };
    await registerAgent(mesh, AGENT);
  });
  afterAll(() => mesh?.stop());

  it('--help lists every verb; a verb has its own help; bad usage exits 2 with the usage', async () => {
    const help = await expectRun(['--help'], 0);
    for (const verb of ['capture', 'analyze', 'report', 'suggest', 'tick', 'rollouts', 'keys']) {
      expect(help.stdout).toContain(`  ${verb} `);
    }
    expect((await expectRun(['rollback', '--help'], 0)).stdout).toContain('--key <rollback_key>');
    expect((await expectRun(['bogus'], 2)).stderr).toContain('unknown verb "bogus"');
    const bad = await expectRun(['analyze', '--dayz', '3'], 2);
    expect(bad.stderr).toContain("unknown flag '--dayz'");
    expect(bad.stderr).toContain('usage:');
  });

  it('agents, candidates and config show the registry and the live config', async () => {
    expect((await expectRun(['agents'], 0)).stdout).toMatch(new RegExp(`^${AGENT}\\s+dev\\s+rev_`, 'm'));
    const agent = JSON.parse((await expectRun(['agents', AGENT, '--json'], 0)).stdout) as { agent_id: string };
    expect(agent.agent_id).toBe(AGENT);
    expect((await expectRun(['agents', 'no_such_agent'], 4)).stderr).toMatch(/^metaloop agents: 404/);
    expect((await expectRun(['candidates', AGENT], 0)).stdout).toMatch(/^prompt\s+v2\s+You are a helpful assistant/m);
    expect((await expectRun(['candidates', AGENT, '--type', 'nope'], 2)).stderr).toContain('--type: expected one of');
    const served = await expectRun(['config', AGENT, '--session', 's1'], 0);
    expect(served.stdout).toMatch(/^arm\s+stable$/m);
  });

  it('register, deploy, revisions and metrics write to the registry', async () => {
    writeFileSync(
      join(work, 'agent.json'),
      JSON.stringify({ model: 'gpt-4o-mini', prompt: { version: 'v1', template: 'Hi.' } }),
    );
    writeFileSync(
      join(work, 'v3.json'),
      JSON.stringify({ model: 'gpt-4o-mini', prompt: { version: 'v3', template: 'Hi. Be brief.' } }),
    );
    writeFileSync(
      join(work, 'model.json'),
      JSON.stringify({
        type: 'model',
        model: 'llama-3-8b',
        provider: 'vllm',
        cost_per_1k_in: 0.1,
        cost_per_1k_out: 0.2,
      }),
    );
    const created = await expectRun(['register', 'agent', 'cli_two', '--config', 'agent.json', '--env', 'staging'], 0);
    expect(created.stdout).toMatch(/^registered agent cli_two: stable revision rev_[0-9a-f]{24}$/m);
    expect((await expectRun(['register', 'agent', 'cli_two', '--config', 'agent.json'], 1)).stderr).toMatch(
      /^metaloop register: 409/,
    );
    expect((await expectRun(['register', 'agent', 'cli_three', '--config', 'missing.json'], 2)).stderr).toContain(
      'cannot read missing.json',
    );
    await expectRun(['register', 'candidate', 'cli_two', '--prompt-version', 'v2', '--template', 'Hi there.'], 0);
    expect((await expectRun(['register', 'candidate', 'cli_two', '--file', 'model.json'], 0)).stdout).toMatch(
      /^registered model candidate llama-3-8b/,
    );
    expect((await expectRun(['candidates', 'cli_two'], 0)).stdout.trim().split('\n')).toHaveLength(3);
    const deployed = await expectRun(['deploy', 'cli_two', '--config', 'v3.json', '--reason', 'cli e2e'], 0);
    expect(deployed.stdout).toMatch(/^kept as candidate\s+v1$/m);
    const [from, to] = [...deployed.stdout.matchAll(/(rev_[0-9a-f]{24})/g)].map((m) => m[1]!).reverse();
    expect((await expectRun(['revisions', 'cli_two'], 0)).stdout.trim().split('\n')).toHaveLength(3);
    expect((await expectRun(['revisions', 'cli_two', to!], 0)).stdout).toContain(to);
    const diff = await expectRun(['revisions', 'cli_two', from!, to!], 0);
    expect(diff.stdout).toMatch(/^prompt\.version\s+changed\s+v1\s+v3$/m);
    expect(diff.stdout).toContain('+ Hi. Be brief.');
    await expectRun(
      ['metrics', 'create', '--name', 'task_done', '--type', 'boolean', '--level', 'episode', '--optimize', 'max'],
      0,
    );
    expect((await expectRun(['metrics'], 0)).stdout).toMatch(/^task_done\s+boolean\s+episode\s+max/m);
    expect((await expectRun(['metrics', 'create', '--name', 'x', '--type', 'int'], 2)).stderr).toContain(
      '--type: expected one of boolean, float',
    );
  });

  it("capture sends seed 003's flags; a bad value exits 2 naming the flag", async () => {
    for (let i = 0; i < 8; i++) {
      const run = await expectRun(
        [
          'capture',
          '--agent',
          AGENT,
          '--subject',
          SUBJECT,
          '--prompt',
          `Explain topic ${i} in simple terms`,
          '--output',
          `Topic ${i} is explained like this.`,
          '--rating',
          i < 4 ? '5' : '2',
          i < 4 ? '--thumbs-up' : '--thumbs-down',
          '--tags',
          i < 4 ? 'technical,explanation' : 'verbose',
          '--framework',
          'chain-of-thought',
          '--model',
          'claude-sonnet-4',
          '--notes',
          'from the e2e',
        ],
        0,
      );
      expect(run.stdout).toMatch(/^feedback captured\nevent_id\s+\S+/);
    }
    const invalid = await expectRun(['capture', '--prompt', 'p', '--output', 'o', '--rating', '9'], 2);
    expect(invalid.stderr).toContain('--rating: expected a number 1–5, got 9');
    const refused = await expectRun(
      ['capture', '--agent', 'bad agent', '--prompt', 'p', '--output', 'o', '--thumbs-up'],
      2,
    );
    expect(refused.stderr).toMatch(/^metaloop capture: 400 validation-error: agent_id \(--agent\): only letters/);
    await eventually(
      async () => {
        const [{ n }] = await sql<{ n: number }>(
          mesh,
          'SELECT count(*)::int AS n FROM feedback_events WHERE agent_id = $1',
          [AGENT],
        );
        if (n < 8) throw new Error(`${n} events stored`);
      },
      20_000,
      100,
    );
  });

  it('tick, status, findings, policies, dlq and audit answer with tables', async () => {
    expect((await expectRun(['tick', '--dry-run'], 0)).stdout).toMatch(/^tick succeeded: .*\nSTAGE\s+OUTCOME/);
    const status = await expectRun(['status'], 0);
    expect(status.stdout).toMatch(/^frozen\s+no$/m);
    expect(status.stdout).toMatch(/^last tick\s+succeeded/m);
    await expectRun(['findings', '--agent', AGENT], 0);
    expect((await expectRun(['findings', 'analyze', '--hours', '1', '--agent', AGENT], 0)).stdout).toMatch(
      /^1 agent\(s\) analyzed, \d+ tests/,
    );
    expect((await expectRun(['findings', '--severity', 'enormous'], 2)).stderr).toContain('(--severity)');
    expect((await expectRun(['policies', '--json'], 0)).stdout).toContain('"canary"');
    await expectRun(['dlq'], 0);
    await expectRun(['dlq', 'replay'], 2);
    await expectRun(['dlq', 'replay', '--all'], 0);
    await expectRun(['audit', '--limit', '5'], 0);
  });

  it('plans: list, show, validate and execute refused by the gates (exit 3), reject, approve of a rejected plan', async () => {
    const { plan } = (await post(`${mesh.apps['oracle-api'].url}/api/v1/oracle/plan`, { findings: [] }, 201)) as {
      plan: { plan_id: string };
    };
    expect((await expectRun(['plans'], 0)).stdout).toContain(plan.plan_id);
    expect((await expectRun(['plans', plan.plan_id], 0)).stdout).toMatch(/^status\s+draft$/m);
    const validation = await expectRun(['plans', 'validate', plan.plan_id], 3);
    expect(validation.stdout).toMatch(/^validation: not passed\n/);
    expect(validation.stdout).toMatch(/^policy_compliance\s+fail\s+the plan holds no mutations/m);
    const refused = await expectRun(['plans', 'execute', plan.plan_id], 3);
    expect(refused.stderr).toMatch(/^metaloop plans: 409 plan-refused: .* gates: policy_compliance fail/);
    expect(refused.stderr.trim().split('\n')).toHaveLength(1);
    expect((await expectRun(['plans', 'reject', plan.plan_id, '--reason', 'e2e'], 0)).stdout).toContain('now rejected');
    expect((await expectRun(['plans', 'approve', plan.plan_id], 1)).stderr).toMatch(/^metaloop plans: 409/);
    await expectRun(['plans', '0190a0a0-0000-7000-8000-000000000000'], 4);
    await expectRun(['plans', 'not-a-plan'], 2);
  });

  it('rollouts: list, show, rollback by key, --follow to its end; unknown key exits 4', async () => {
    await queuePlan(mesh, [promptMutation(AGENT)]);
    const rollout = await waitForRollout(mesh, AGENT, (r) => r.status === 'running');
    expect((await expectRun(['rollouts', '--agent', AGENT], 0)).stdout).toContain(rollout.rollout_id);
    expect((await expectRun(['rollouts', rollout.rollout_id], 0)).stdout).toMatch(/^status\s+running/m);
    expect((await expectRun(['agents'], 0)).stdout).toMatch(new RegExp(`^${AGENT}.*PROMPT_PATCH running`, 'm'));
    const refused = await expectRun(['deploy', AGENT, '--config', 'agent.json'], 3);
    expect(refused.stderr).toMatch(/^metaloop deploy: 409 deploy-refused: agent "cli_agent" has a running rollout/);
    const rolledBack = await expectRun(['rollback', '--key', rollout.rollback_key, '--reason', 'cli e2e'], 0);
    expect(rolledBack.stdout).toMatch(/^rolled back 1: routing is on stable/);
    const followed = await expectRun(['rollouts', rollout.rollout_id, '--follow', '--interval', '0.2'], 0);
    expect(followed.stdout).toMatch(new RegExp(`rollout ${rollout.rollout_id} rolled_back`));
    expect((await expectRun(['rollback', '--key', 'rollback_nope'], 4)).stderr).toMatch(/^metaloop rollback: 404/);
    expect((await expectRun(['rollback', '--reason', 'no selector'], 2)).stderr).toContain('give exactly one of');
    await expectRun(['rollouts', '--follow'], 2);
  });

  it('freeze and unfreeze switch the freeze, status shows it', async () => {
    expect((await expectRun(['freeze', '--reason', 'cli e2e'], 0)).stdout).toMatch(/^frozen \(cli e2e\)/);
    expect((await expectRun(['status'], 0)).stdout).toMatch(/^frozen\s+yes \(cli e2e\)$/m);
    expect((await expectRun(['unfreeze'], 0)).stdout).toMatch(/^not frozen/);
  });

  it('datasets: create waits until built, list, show, download writes the files', async () => {
    const created = JSON.parse((await expectRun(['datasets', 'create', '--agent', AGENT, '--json'], 0)).stdout) as {
      dataset_id: string;
      status: string;
      manifest: { counts: Record<string, number> };
    };
    expect(created.status).toBe('ready');
    expect(created.manifest.counts['scanned']).toBeGreaterThanOrEqual(6);
    expect((await expectRun(['datasets', '--agent', AGENT], 0)).stdout).toContain(created.dataset_id);
    expect((await expectRun(['datasets', created.dataset_id], 0)).stdout).toMatch(/^status\s+ready$/m);
    await expectRun(['datasets', 'download', created.dataset_id, '--dir', 'ds'], 0);
    const manifest = JSON.parse(readFileSync(join(work, 'ds', 'manifest.json'), 'utf8')) as { dataset_id: string };
    expect(manifest.dataset_id).toBe(created.dataset_id);
    expect(existsSync(join(work, 'ds', 'train.jsonl'))).toBe(true);
    await expectRun(['datasets', '0190a0a0-0000-7000-8000-000000000000'], 4);
    expect((await expectRun(['datasets', 'create'], 2)).stderr).toContain('--agent is required');
    await expectRun(['training', '0190a0a0-0000-7000-8000-000000000000'], 4);
    const found = await expectRun(['examples', AGENT, '--query', 'Explain topic 2', '--k', '2', '--json'], 0);
    expect((JSON.parse(found.stdout) as { examples: Array<{ input: string }> }).examples[0]?.input).toBe(
      'Explain topic 2 in simple terms',
    );
    await expectRun(['subject-logs', 'selections', '--agent', AGENT, '--output', 'selections.jsonl'], 0);
    expect(existsSync(join(work, 'selections.jsonl'))).toBe(true);
    await expectRun(['subject-logs', 'everything'], 2);
  });

  it('analyze shows the patterns; too few samples is a clear refusal (exit 1)', async () => {
    const patterns = await expectRun(['analyze', '--agent', AGENT, '--days', '1', '--min-samples', '5'], 0);
    expect(patterns.stdout).toMatch(/^samples\s+8 \(4 positive, 4 negative\)$/m);
    expect(patterns.stdout).toMatch(/^success rate\s+50\.0 %$/m);
    expect(patterns.stdout).toMatch(/^by tag:\n(.*\n)*\s+technical\s+4\s+100\.0 %/m);
    expect(patterns.stdout).toMatch(/^by context\.framework:\n(.*\n)*\s+chain-of-thought\s+8\s+50\.0 %/m);
    const json = JSON.parse((await expectRun(['analyze', '--agent', AGENT, '--days', '1', '--json'], 0)).stdout) as {
      samples: number;
    };
    expect(json.samples).toBe(8);
    const few = await expectRun(['analyze', '--agent', AGENT, '--days', '1', '--min-samples', '1000'], 1);
    expect(few.stderr).toMatch(
      /^metaloop analyze: 422 insufficient-samples: too few samples for patterns: 8 .* at least 1000/,
    );
    expect((await expectRun(['analyze', '--days', 'soon'], 2)).stderr).toContain('--days: expected a number');
  });

  it('report writes Markdown or JSON with --output, lists and shows reports', async () => {
    const week = isoWeek(new Date());
    const made = await expectRun(
      ['report', '--period', 'weekly', '--period-id', week, '--agent', AGENT, '--output', 'r.md'],
      0,
    );
    expect(made.stdout).toMatch(new RegExp(`^wrote r\\.md \\(Markdown\\): weekly report ${week}, report_id \\S+`));
    const markdown = readFileSync(join(work, 'r.md'), 'utf8');
    expect(markdown).toMatch(/^# /);
    expect(markdown).toContain(week);
    const reportId = made.stdout.match(/report_id (\S+)/)![1]!;
    await expectRun(['report', 'show', reportId, '--output', 'r.json'], 0);
    const report = JSON.parse(readFileSync(join(work, 'r.json'), 'utf8')) as {
      report_id: string;
      current: { samples: number };
    };
    expect(report).toMatchObject({ report_id: reportId, current: { samples: 8 } });
    expect((await expectRun(['report', 'list', '--agent', AGENT], 0)).stdout).toMatch(
      new RegExp(`^${reportId}\\s+weekly\\s+${week}\\s+${AGENT}\\s+8\\s+50\\.0 %`, 'm'),
    );
    expect((await expectRun(['report', 'show', reportId], 0)).stdout).toMatch(/^# /);
    await expectRun(['report', 'show', '0190a0a0-0000-7000-8000-000000000000'], 4);
    expect((await expectRun(['report', '--period', 'weekly', '--period-id', '2026-12'], 2)).stderr).toContain(
      'period_id (--period-id)',
    );
    expect((await expectRun(['report', '--period', 'daily'], 2)).stderr).toContain('expected one of weekly, monthly');
    expect((await expectRun(['report', '--output', 'r.txt'], 2)).stderr).toContain(
      'name a .md (Markdown) or .json file',
    );
  });

  it('suggest proposes a prompt change for the worst area; --register makes it a prompt candidate', async () => {
    const run = await expectRun(['suggest', '--agent', AGENT, '--days', '1', '--json'], 0);
    const { items } = JSON.parse(run.stdout) as { items: Array<{ suggestion_id: string; area: string }> };
    expect(items.map((item) => item.area)).toContain('verbose');
    const human = await expectRun(['suggest', 'list', '--agent', AGENT], 0);
    expect(human.stdout).toMatch(
      /^1\. tag verbose \(agent cli_agent, rules\)\n\s+problem:\s+4 of \d+ judged events negative/m,
    );
    const verbose = items.find((item) => item.area === 'verbose')!;
    const registered = await expectRun(['suggest', '--register', verbose.suggestion_id], 0);
    expect(registered.stdout).toMatch(
      /^registered suggestion .* as a prompt candidate\nagent\s+cli_agent\ntype\s+prompt/,
    );
    expect((await expectRun(['candidates', AGENT, '--type', 'prompt'], 0)).stdout.trim().split('\n')).toHaveLength(3);
    await expectRun(['suggest', '--register', '0190a0a0-0000-7000-8000-000000000000'], 4);
    expect((await expectRun(['suggest', '--limit', '0'], 2)).stderr).toContain('--limit');
  });

  it('memory shows what is kept about a subject, exports it, and --forget erases it', async () => {
    const kept = await eventually(
      async () => {
        const run = await expectRun(['memory', SUBJECT], 0);
        if ((run.stdout.match(/^HISTORY /gm) ?? []).length < 8) throw new Error(run.stdout);
        return run;
      },
      20_000,
      200,
    );
    expect(kept.stdout).toMatch(/^subject\s+cli-user-1$/m);
    const exported = JSON.parse((await expectRun(['memory', SUBJECT, '--export'], 0)).stdout) as { subject_id: string };
    expect(exported.subject_id).toBe(SUBJECT);
    const forgot = await expectRun(['memory', SUBJECT, '--forget', '--reason', 'cli e2e'], 0);
    expect(forgot.stdout).toMatch(/^forgot subject cli-user-1\n(.*\n)*memory_items\s+8/m);
    expect((await expectRun(['memory', SUBJECT], 0)).stdout).toMatch(/^nothing is kept about cli-user-1/);
    await expectRun(['memory'], 2);
  });

  it('keys: create prints the key once, the CLI then uses it; list; revoke', async () => {
    const database = ['--database-url', mesh.env['DATABASE_URL']!];
    const created = await expectRun(['keys', 'create', '--name', 'cli e2e', '--scopes', 'admin', ...database], 0);
    const key = created.stdout.match(/mlk_[a-z0-9]{8}_[A-Za-z0-9_-]{43}/)?.[0];
    expect(key).toBeDefined();
    await expectRun(['status', '--api-key', key!], 0);
    await expectRun(['status'], 0, { METALOOP_API_KEY: key! });
    const prefix = key!.split('_')[1]!;
    expect((await expectRun(['keys', 'list', ...database], 0)).stdout).toMatch(
      new RegExp(`^${prefix}\\s+cli e2e\\s+active`, 'm'),
    );
    expect((await expectRun(['keys', 'revoke', prefix, ...database], 0)).stdout).toContain(`Revoked API key ${prefix}`);
    expect((await expectRun(['keys', 'create', '--name', 'x', ...database], 2)).stderr).toContain('--scopes');
    await expectRun(['keys', 'rotate'], 2);
  });

  it('every verb metaloop --help lists was run by a test above', async () => {
    const help = (await expectRun(['--help'], 0)).stdout;
    const listed = help
      .split('\n\n')
      .find((block) => block.startsWith('verbs:'))!
      .split('\n')
      .slice(1)
      .map((line) => line.trim().split(/\s+/)[0]!);
    expect(listed.length).toBeGreaterThan(20);
    expect(listed.filter((verb) => !ran.has(verb))).toEqual([]);
  });
});
