import { spawn, spawnSync } from 'node:child_process';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { join } from 'node:path';
import { URL } from 'node:url';
import { freePort, spawnApp, testEnv, WORKSPACE_ROOT, type AppProcess } from '@metaloop/testing';
import { APPS, startMesh, type Mesh } from './mesh';
import { fastPolicyFile, promptMutation, queuePlan, registerAgent, sql, waitForRollout } from './rollout-driver';

/**
 * The Python client (clients/python) against the real mesh: this suite starts the mesh, registers
 * the agents (one with a 50 % rollout, so sessions have arms) and runs pytest on
 * clients/python/tests/mesh as a child process. pytest drives the outage itself through a control
 * URL served here: stop or start feedback-api (on the same port, as a restart would), and count
 * what Postgres stored. (The client's unit tests run in the nx project python-client.)
 */
const PYTEST = join(WORKSPACE_ROOT, 'clients', 'python', 'scripts', 'pytest.mjs');
const INSTALL_HINT = 'apt-get install -y python3-pytest (.ci/run does it when missing)';
const python = spawnSync(process.execPath, [PYTEST, '--which'], { encoding: 'utf8' }).stdout.trim();

function describeWithPython(name: string, suite: () => void): void {
  if (python || testEnv.CI) return describe(name, suite);
  process.stderr.write(
    `\n*** SKIPPED "${name}": no python3 (3.9+) with pytest. Install it to run this suite: ${INSTALL_HINT}. ` +
      `(With CI=true it fails the run.) ***\n\n`,
  );
  describe.skip(name, suite);
}

/** Runs pytest through the client's runner; resolves with its exit code and output. */
function pytest(args: string[], env: Record<string, string>): Promise<{ code: number | null; output: string }> {
  if (!python) throw new Error(`no python3 (3.9+) with pytest: ${INSTALL_HINT}`);
  const child = spawn(process.execPath, [PYTEST, ...args], {
    env: { ...process.env, ...env, METALOOP_PYTHON: python },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  child.stdout.on('data', (chunk: Buffer) => (output += chunk.toString()));
  child.stderr.on('data', (chunk: Buffer) => (output += chunk.toString()));
  return new Promise((resolve) => child.once('exit', (code) => resolve({ code, output })));
}

async function readBody(request: IncomingMessage): Promise<unknown> {
  let text = '';
  for await (const chunk of request) text += (chunk as Buffer).toString();
  return text ? JSON.parse(text) : undefined;
}

describeWithPython('the Python client on the mesh (clients/python, pytest)', () => {
  const AGENT = 'py_agent';
  const COUNTED = 'py_counted';
  const BUFFERED = 'py_buffered';
  let mesh: Mesh;
  let control: Server;
  let controlUrl: string;
  let feedbackApi: AppProcess;
  let feedbackPort: number;

  /** What pytest asks of the mesh: stop or start feedback-api, and what Postgres stored. */
  async function handle(request: IncomingMessage, response: ServerResponse): Promise<void> {
    const url = new URL(request.url ?? '/', 'http://control');
    let answer: unknown = {};
    if (request.method === 'POST' && url.pathname === '/feedback-api/stop') {
      await feedbackApi.stop();
    } else if (request.method === 'POST' && url.pathname === '/feedback-api/start') {
      feedbackApi = spawnApp('feedback-api', mesh.env, feedbackPort);
      await feedbackApi.waitForReady(60_000);
    } else if (url.pathname === '/counts') {
      const agentId = url.searchParams.get('agent_id');
      const [events] = await sql<{ n: number }>(
        mesh,
        `SELECT count(*)::int AS n FROM feedback_events WHERE agent_id = $1`,
        [agentId],
      );
      const [rollup] = await sql<{ n: number }>(
        mesh,
        `SELECT coalesce(sum(count), 0)::int AS n FROM feedback_rollups WHERE agent_id = $1`,
        [agentId],
      );
      answer = { events: events!.n, rollup: rollup!.n };
    } else if (request.method === 'POST' && url.pathname === '/stored') {
      const { ids } = (await readBody(request)) as { ids: string[] };
      const rows = await sql<{ event_id: string }>(
        mesh,
        `SELECT event_id FROM feedback_events WHERE event_id = ANY($1::text[])`,
        [ids],
      );
      answer = { stored: rows.map((row) => row.event_id) };
    } else {
      response.writeHead(404).end();
      return;
    }
    response.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify(answer));
  }

  beforeAll(async () => {
    // A rollout that stays at 50 % for the whole suite: it would need 100,000 samples an arm to move.
    const policy = fastPolicyFile({
      canary: {
        steps: [50, 100],
        analysis_interval_seconds: 1,
        min_samples_per_arm: 100_000,
        max_step_duration_minutes: 30,
      },
    });
    mesh = await startMesh('e2e_sdk_python', { POLICIES_PATH: policy });
    await Promise.all(APPS.map((name) => mesh.apps[name].waitForReady(60_000)));
    feedbackApi = mesh.apps['feedback-api'];
    feedbackPort = Number(new URL(feedbackApi.url).port);
    await Promise.all([AGENT, COUNTED, BUFFERED].map((agentId) => registerAgent(mesh, agentId)));
    await queuePlan(mesh, [promptMutation(AGENT)]);
    await waitForRollout(mesh, AGENT, (rollout) => rollout.status === 'running' && rollout.weight === 50, 30_000);
    control = createServer((request, response) => {
      handle(request, response).catch((error: Error) => {
        response.writeHead(500, { 'content-type': 'text/plain' }).end(error.stack);
      });
    });
    const port = await freePort();
    await new Promise<void>((resolve) => control.listen(port, '127.0.0.1', resolve));
    controlUrl = `http://127.0.0.1:${port}`;
  }, 120_000);

  afterAll(async () => {
    control?.close();
    if (feedbackApi && feedbackApi !== mesh?.apps['feedback-api']) await feedbackApi.stop();
    await mesh?.stop();
  });

  it('caches with ETags (304s counted), keeps sticky arms, never double counts a cut request, falls back and stays bounded while feedback-api is down', async () => {
    const { code, output } = await pytest(['tests/mesh', '-v'], {
      METALOOP_FEEDBACK_URL: feedbackApi.url,
      METALOOP_CONTROL_URL: controlUrl,
      METALOOP_AGENT_ID: AGENT,
      METALOOP_COUNTED_AGENT_ID: COUNTED,
      METALOOP_BUFFERED_AGENT_ID: BUFFERED,
    });
    if (code !== 0)
      throw new Error(`pytest tests/mesh exited ${code}:\n${output}\n--- feedback-api:\n${feedbackApi.output()}`);
    expect(output).toMatch(/4 passed/);
    expect(output).not.toMatch(/skipped/);
  }, 240_000);
});
