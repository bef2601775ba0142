import { join } from 'node:path';
import { parseVerbArgs } from './args';
import { run, splitVerb, type Io } from './cli';
import { VERBS } from './commands';
import { findRepository } from './commands/keys';
import { ApiError, describeProblem, UsageError } from './errors';
import { EXIT, exitCodeForProblem } from './exit-codes';
import { cell, render, table } from './format';
import { bar } from './progress';

const WORKSPACE_ROOT = join(__dirname, '..', '..', '..');

/** An Io whose output is kept, and whose fetch answers what `answer` says (and records the request). */
function fakeIo(answer: (url: string, init: RequestInit) => Response = () => new Response('{}', { status: 200 })) {
  const out: string[] = [];
  const err: string[] = [];
  const requests: Array<{ url: string; method: string; body: unknown; headers: Record<string, string> }> = [];
  const io: Io = {
    env: {},
    cwd: process.cwd(),
    stdout: { write: (text: string) => out.push(text) },
    stderr: { write: (text: string) => err.push(text) },
    sleep: async () => undefined,
    fetch: (async (url: string, init: RequestInit) => {
      requests.push({
        url,
        method: String(init.method),
        body: typeof init.body === 'string' ? JSON.parse(init.body) : undefined,
        headers: init.headers as Record<string, string>,
      });
      return answer(url, init);
    }) as unknown as typeof fetch,
  };
  return { io, out: () => out.join(''), err: () => err.join(''), requests };
}

const problem = (status: number, body: object) =>
  new Response(JSON.stringify({ status, title: 'x', ...body }), {
    status,
    headers: { 'content-type': 'application/problem+json' },
  });

describe('exit codes of API errors', () => {
  it.each([
    [404, { type: 'urn:metaloop:problem:rollback-target-not-found' }, EXIT.notFound],
    [
      400,
      { type: 'urn:metaloop:problem:validation-error', errors: [{ path: 'days', message: 'too big' }] },
      EXIT.usage,
    ],
    [409, { type: 'urn:metaloop:problem:plan-refused', detail: 'the gates refused the plan' }, EXIT.refused],
    [409, { detail: 'x', gates: [{ gate: 'rate_budget', status: 'fail', reason: 'budget used' }] }, EXIT.refused],
    [409, { detail: 'mutation budget exhausted for the hour' }, EXIT.refused],
    [422, { detail: 'refused by policy: the system is frozen' }, EXIT.refused],
    [409, { detail: 'plan is not awaiting approval (status draft)' }, EXIT.other],
    [422, { detail: 'only 3 samples in the window, 5 needed' }, EXIT.other],
    [422, { detail: '2026-W53 has not begun yet', errors: [{ path: 'period_id', message: 'x' }] }, EXIT.usage],
    [401, { type: 'urn:metaloop:problem:unauthorized' }, EXIT.other],
    [503, { detail: 'NATS unavailable' }, EXIT.other],
  ])('%i %j → %i', (status, body, expected) => {
    expect(exitCodeForProblem(status, body)).toBe(expected);
  });
});

describe('problem lines', () => {
  it('names each field path and the flag that set it, on one line', () => {
    const line = describeProblem(
      400,
      {
        type: 'urn:metaloop:problem:validation-error',
        detail: 'The request does not match the schema.',
        errors: [
          { path: 'explicit.rating', message: 'Too big: expected number to be <=5' },
          { path: 'tags.0', message: 'Too long' },
        ],
      },
      { 'explicit.rating': '--rating', tags: '--tags' },
    );
    expect(line).toBe(
      '400 validation-error: explicit.rating (--rating): Too big: expected number to be <=5; tags.0 (--tags): Too long',
    );
    expect(line).not.toContain('\n');
  });

  it('lists the gates that refused', () => {
    expect(
      describeProblem(409, {
        type: 'urn:metaloop:problem:plan-refused',
        detail: 'the SPEC gates refused the plan',
        gates: [
          { gate: 'freeze', status: 'fail', reason: 'frozen: incident 42' },
          { gate: 'confidence_and_evidence', status: 'pass', reason: 'ok' },
        ],
      }),
    ).toBe('409 plan-refused: the SPEC gates refused the plan — gates: freeze fail: frozen: incident 42');
  });

  it('says so when the answer carried no problem document', () => {
    expect(describeProblem(502, undefined)).toBe('502: no problem document in the answer');
  });
});

describe('argument parsing', () => {
  it('finds the verb after global flags and their values', () => {
    expect(splitVerb(['--url', 'http://x', '--json', 'status'])).toEqual({
      verbName: 'status',
      rest: ['--url', 'http://x', '--json'],
    });
    expect(splitVerb(['--url=http://x', 'plans', 'approve', 'id'])).toEqual({
      verbName: 'plans',
      rest: ['--url=http://x', 'approve', 'id'],
    });
    expect(splitVerb(['--json'])).toEqual({ verbName: undefined, rest: ['--json'] });
  });

  it('refuses an unknown flag or a missing value as bad usage', () => {
    expect(() => parseVerbArgs('analyze', ['--dayz', '3'], {})).toThrow(new UsageError("unknown flag '--dayz'"));
    expect(() => parseVerbArgs('analyze', ['--url'], {})).toThrow(UsageError);
  });

  it('every verb has a summary, usage and described flags', () => {
    const names = VERBS.map((verb) => verb.name);
    expect(new Set(names).size).toBe(names.length);
    for (const verb of VERBS) {
      expect(verb.summary).toBeTruthy();
      expect(verb.usage.length).toBeGreaterThan(0);
      for (const spec of Object.values(verb.options)) expect(spec.description).toBeTruthy();
    }
  });
});

describe('run', () => {
  it('--help lists every verb and exits 0; no verb prints it on stderr and exits 2', async () => {
    const help = fakeIo();
    expect(await run(['--help'], help.io)).toBe(EXIT.ok);
    for (const verb of VERBS) expect(help.out()).toContain(`  ${verb.name} `);
    const none = fakeIo();
    expect(await run([], none.io)).toBe(EXIT.usage);
    expect(none.err()).toContain('usage: metaloop <verb>');
  });

  it('a bad value is exit 2 before anything is sent', async () => {
    const f = fakeIo();
    expect(await run(['capture', '--prompt', 'p', '--output', 'o', '--rating', '7'], f.io)).toBe(EXIT.usage);
    expect(f.err()).toContain('--rating: expected a number 1–5, got 7');
    expect(f.requests).toHaveLength(0);
    expect(await run(['rollback', '--key', 'k', '--all'], f.io)).toBe(EXIT.usage);
    expect(await run(['report', '--output', 'r.txt'], f.io)).toBe(EXIT.usage);
    expect(f.requests).toHaveLength(0);
  });

  it("capture sends seed 003's flags as a feedback event with artifacts and context", async () => {
    const f = fakeIo(
      () => new Response(JSON.stringify({ event_id: 'e1', status: 'accepted', duplicate: false }), { status: 202 }),
    );
    f.io.env = { METALOOP_FEEDBACK_URL: 'http://feedback:1', METALOOP_API_KEY: 'mlk_x' };
    const code = await run(
      [
        'capture',
        '--prompt',
        'Explain quantum computing',
        '--output',
        'Quantum computing uses…',
        '--rating',
        '5',
        '--thumbs-up',
        '--tags',
        'technical,explanation',
        '--framework',
        'chain-of-thought',
        '--model',
        'claude-sonnet-4',
        '--notes',
        'clear',
        '--agent',
        'helper',
        '--subject',
        'user-1',
      ],
      f.io,
    );
    expect(code).toBe(EXIT.ok);
    expect(f.requests[0]).toMatchObject({
      url: 'http://feedback:1/api/v1/feedback/collect',
      method: 'POST',
      headers: { authorization: 'Bearer mlk_x' },
      body: {
        agent_id: 'helper',
        session_id: expect.stringMatching(/^cli-/),
        subject_id: 'user-1',
        explicit: { rating: 5, helpful: true, comment: 'clear' },
        tags: ['technical', 'explanation'],
        context: { framework: 'chain-of-thought', model: 'claude-sonnet-4' },
        artifacts: { input: 'Explain quantum computing', output: 'Quantum computing uses…' },
      },
    });
    expect(f.out()).toContain('e1');
  });

  it('maps the answer: 400 → 2 with the flag, 404 → 4, a refused plan → 3, unreachable → 1', async () => {
    const invalid = fakeIo(() =>
      problem(400, {
        type: 'urn:metaloop:problem:validation-error',
        errors: [{ path: 'min_samples', message: 'too small' }],
      }),
    );
    expect(await run(['analyze', '--min-samples', '1'], invalid.io)).toBe(EXIT.usage);
    expect(invalid.err()).toBe('metaloop analyze: 400 validation-error: min_samples (--min-samples): too small\n');

    const missing = fakeIo(() => problem(404, { detail: 'no rollout has that rollback_key' }));
    expect(await run(['rollback', '--key', 'nope'], missing.io)).toBe(EXIT.notFound);

    const refused = fakeIo(() => problem(409, { type: 'urn:metaloop:problem:plan-refused', detail: 'frozen' }));
    expect(await run(['plans', 'approve', '0190a0a0-0000-7000-8000-000000000000'], refused.io)).toBe(EXIT.refused);

    const down = fakeIo(() => {
      throw new TypeError('fetch failed', { cause: { code: 'ECONNREFUSED' } });
    });
    expect(await run(['status', '--url', 'http://127.0.0.1:9'], down.io)).toBe(EXIT.other);
    expect(down.err()).toBe('metaloop status: cannot reach oracle-api at http://127.0.0.1:9: ECONNREFUSED\n');
  });

  it('an answer that does not come in time is one line, exit 1', async () => {
    const slow = fakeIo(() => {
      throw new DOMException('The operation was aborted due to timeout', 'TimeoutError');
    });
    expect(await run(['tick', '--url', 'http://oracle:1'], slow.io)).toBe(EXIT.other);
    expect(slow.err()).toBe('metaloop tick: no answer from oracle-api at http://oracle:1 within 120 s\n');
  });

  it('--json prints the answer as JSON', async () => {
    const body = { items: [], next_cursor: null };
    const f = fakeIo(() => new Response(JSON.stringify(body), { status: 200 }));
    expect(await run(['rollouts', '--json'], f.io)).toBe(EXIT.ok);
    expect(JSON.parse(f.out())).toEqual(body);
  });

  it('rollouts --follow polls until the rollout has ended', async () => {
    const states = ['running', 'running', 'rolled_back'];
    let look = 0;
    const f = fakeIo(() => {
      const status = states[Math.min(look++, states.length - 1)];
      return new Response(
        JSON.stringify({
          rollout_id: 'r1',
          agent_id: 'a',
          status,
          weight: status === 'running' ? 10 : 0,
          step_index: 0,
          steps: [10, 50, 100],
          status_reason: status === 'running' ? null : 'operator',
          decisions:
            look > 2
              ? [{ decision_id: 'd1', at: 't', step_index: 0, weight: 0, action: 'rollback', reason: 'operator' }]
              : [],
        }),
        { status: 200 },
      );
    });
    expect(await run(['rollouts', 'r1', '--follow'], f.io)).toBe(EXIT.ok);
    expect(f.requests).toHaveLength(3);
    expect(f.out()).toContain('rollback: operator');
    expect(f.out()).toContain('rollout r1 rolled_back: operator');
  });
});

describe('keys', () => {
  it('finds the repository it runs from, and none outside one', () => {
    expect(findRepository(__dirname)).toBe(WORKSPACE_ROOT);
    expect(findRepository('/')).toBeUndefined();
  });
});

describe('ApiError', () => {
  it('carries its exit code', () => {
    expect(new ApiError('GET', 'u', 404, undefined).exitCode).toBe(EXIT.notFound);
  });
});

describe('formatting', () => {
  it('aligns a table and shows missing values as -', () => {
    expect(
      table(
        [
          { a: 'x', b: 1.23456 },
          { a: 'longer', b: null },
        ],
        [
          { title: 'A', value: (r) => r.a },
          { title: 'B', value: (r) => r.b },
        ],
      ),
    ).toBe('A       B\nx       1.2346\nlonger  -');
  });

  it('renders unknown JSON: fields, then nested sections and tables', () => {
    expect(render({ subject_id: 's', goals: [{ text: 'build api', weight: 2 }], facets: { concise: 0.52 } })).toBe(
      'subject_id  s\ngoals:\n  TEXT       WEIGHT\n  build api  2\nfacets:\n  concise  0.52',
    );
    expect(cell(['a', 'b'])).toBe('a,b');
  });

  it('draws a bar', () => {
    expect(bar(0.5, 10)).toBe('[#####.....]  50 %');
    expect(bar(2, 4)).toBe('[####] 100 %');
  });
});
