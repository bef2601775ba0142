import { writeFileSync } from 'node:fs';
import { Agent } from 'node:http';
import { eventually } from '@metaloop/testing';
import { APPS, type AppName } from './mesh';
import { startKeyedMesh, type KeyedMesh } from './fuzz/fuzz-mesh';
import { operationKey, operationsOf, type OpenApiDocument, type Operation } from './fuzz/openapi';
import { casesForAll, type CaseContext, type FuzzRequest } from './fuzz/openapi-cases';
import { createRng, seedFrom } from './fuzz/prng';
import { pool, send, type Outcome } from './fuzz/send';
import { defectOf, statusOf } from './fuzz/verdict';

/**
 * Every operation of the three apps' OpenAPI documents with structured and random bad input,
 * under an admin key (so validation, not auth, is exercised) and without one: no 5xx, no hang,
 * every 4xx problem+json, every accepted event stored (no dead letter), and the apps ready
 * afterwards. FUZZ_SEED sends a run's requests again (the seed is printed); FUZZ_ROUNDS=n
 * sends n times the random cases and probes every body field (`npm run fuzz` runs 20 rounds);
 * FUZZ_LOG=<file> writes every request's status and answer there, one JSON line each.
 */
const SEED = seedFrom(process.env['FUZZ_SEED']);
const ROUNDS = Math.max(1, Number(process.env['FUZZ_ROUNDS'] ?? '1') || 1);
const TIMEOUT_MS = 10_000;
const CONCURRENCY = 8;
/** Beyond feedback-api's bulk limit as the mesh sets it below, and every default (1 MiB, 256 KiB). */
const OVERSIZE_BYTES = 1_100_000;

describe(`OpenAPI fuzz of the three apps (seed ${SEED}, ${ROUNDS} round${ROUNDS > 1 ? 's' : ''})`, () => {
  let mesh: KeyedMesh;
  const authed = (key: string) => ({ authorization: `Bearer ${key}`, 'content-type': 'application/json' });

  let meshSeconds = 0;

  beforeAll(async () => {
    const started = performance.now();
    mesh = await startKeyedMesh('fuzz', {
      BULK_BODY_LIMIT_BYTES: String(1_048_576),
      // A body that never comes whole is answered 408 (problem+json) well within the client's timeout.
      HTTP_REQUEST_TIMEOUT_MS: String(3_000),
    });
    await Promise.all(APPS.map((name) => mesh.apps[name].waitForReady(60_000)));
    meshSeconds = (performance.now() - started) / 1000;
  }, 120_000);

  afterAll(async () => {
    await mesh?.stop();
  });

  /** An agent with two revisions, so operations that take ids get real ones as well as made-up ones. */
  async function seedIds(): Promise<Record<string, string[]>> {
    const oracle = mesh.apps['oracle-api'].url;
    const call = async (method: string, path: string, body?: unknown) => {
      const response = await fetch(`${oracle}${path}`, {
        method,
        headers: authed(mesh.adminKey),
        body: body === undefined ? undefined : JSON.stringify(body),
      });
      if (!response.ok) throw new Error(`${method} ${path}: ${response.status} ${await response.text()}`);
      return (await response.json()) as Record<string, unknown>;
    };
    const config = { model: 'llama-3-8b', prompt: { version: 'v1', template: 'You are a helpful assistant.' } };
    await call('POST', '/api/v1/agents', { agent_id: 'fuzz_agent', environment: 'dev', config });
    await call('POST', '/api/v1/agents/fuzz_agent/candidates', {
      type: 'prompt',
      version: 'v2',
      template: 'Be brief.',
    });
    await call('POST', '/api/v1/agents/fuzz_agent/deploy', { config: { ...config, model: 'llama-3-70b' } });
    const { items } = (await call('GET', '/api/v1/agents/fuzz_agent/revisions')) as {
      items: Array<{ revision_id: string }>;
    };
    const revisions = items.map((item) => item.revision_id);
    return {
      agent_id: ['fuzz_agent'],
      revision_id: revisions,
      from_revision_id: revisions,
      to_revision_id: [...revisions].reverse(),
    };
  }

  it(
    'answers every bad request with a 4xx problem (or a success), never a 5xx or a hang, stores what it accepts, and stays ready',
    async () => {
      const ids = await seedIds();
      const operations: Operation[] = [];
      for (const app of APPS) {
        const doc = (await (await fetch(`${mesh.apps[app].url}/docs/json`)).json()) as OpenApiDocument;
        operations.push(...operationsOf(app, doc));
      }
      const ctx: CaseContext = {
        adminKey: mesh.adminKey,
        ids,
        rng: createRng(SEED),
        fieldLimit: ROUNDS > 1 ? 200 : 12,
        randomCases: 12 * ROUNDS,
        oversizeBytes: OVERSIZE_BYTES,
      };
      const requests = casesForAll(operations, ctx);
      const agent = new Agent({ keepAlive: false });
      const started = performance.now();
      // Requests whose body never comes whole wait for the server's timeout: a pool of their own.
      const sendOne = (i: number) => send(mesh.apps[requests[i]!.app as AppName].url, requests[i]!, agent, TIMEOUT_MS);
      const indexes = requests.map((_, i) => i);
      const [slow, fast] = [
        indexes.filter((i) => requests[i]!.contentLength !== undefined),
        indexes.filter((i) => requests[i]!.contentLength === undefined),
      ];
      const outcomes: Outcome[] = new Array<Outcome>(requests.length);
      await Promise.all([
        pool(slow, slow.length, async (i) => (outcomes[i] = await sendOne(i))),
        pool(fast, CONCURRENCY, async (i) => (outcomes[i] = await sendOne(i))),
      ]);
      const seconds = (performance.now() - started) / 1000;
      agent.destroy();

      const defects = requests
        .map((req, i) => ({ req, outcome: outcomes[i]!, defect: defectOf(outcomes[i]!) }))
        .filter((row): row is { req: FuzzRequest; outcome: Outcome; defect: string } => row.defect !== undefined);
      const histogram: Record<string, number> = {};
      const perApp: Record<string, number> = {};
      for (const [i, outcome] of outcomes.entries()) {
        histogram[statusOf(outcome)] = (histogram[statusOf(outcome)] ?? 0) + 1;
        perApp[requests[i]!.app] = (perApp[requests[i]!.app] ?? 0) + 1;
      }
      const fiveXx = outcomes.filter((o) => 'response' in o && o.response.status >= 500).length;
      console.log(
        `fuzz seed=${SEED} rounds=${ROUNDS}: ${requests.length} requests over ${operations.length} operations in ${seconds.toFixed(1)} s (mesh ready in ${meshSeconds.toFixed(1)} s) ` +
          `(${Object.entries(perApp)
            .map(([app, n]) => `${app} ${n}`)
            .join(', ')}); statuses ${JSON.stringify(histogram)}; 5xx ${fiveXx}; defects ${defects.length}`,
      );
      const log = process.env['FUZZ_LOG'];
      if (log) {
        const lines = requests.map((req, i) => {
          const outcome = outcomes[i]!;
          const body = 'response' in outcome ? outcome.response.body.toString('utf8').slice(0, 500) : undefined;
          return JSON.stringify({
            operation: req.operation,
            label: req.label,
            url: req.url,
            status: statusOf(outcome),
            body,
          });
        });
        writeFileSync(log, `${lines.join('\n')}\n`);
      }
      if (defects.length > 0) {
        console.log(
          `fuzz defects (replay with FUZZ_SEED=${SEED}${ROUNDS > 1 ? ` FUZZ_ROUNDS=${ROUNDS}` : ''}):\n` +
            defects
              .slice(0, 40)
              .map(
                ({ req, defect }) =>
                  `  ${req.operation} [${req.label}] ${req.method} ${req.url.slice(0, 120)}\n    → ${defect}`,
              )
              .join('\n'),
        );
      }

      // Every event answered 202 is stored: none waits forever, none is dead-lettered.
      const backlog = await eventually(
        async () => {
          const now = await mesh.ingestBacklog();
          if (now.pending > 0) throw new Error(`${now.pending} events not yet stored`);
          return now;
        },
        60_000,
        250,
      );
      console.log(`fuzz: ingest drained, ${backlog.deadLetters} dead letters`);
      if (backlog.deadLetters > 0) {
        const dlq = await fetch(`${mesh.apps['oracle-api'].url}/api/v1/oracle/dlq?limit=20`, {
          headers: authed(mesh.adminKey),
        });
        console.log(`dead letters after the fuzz:\n${(await dlq.text()).slice(0, 4_000)}`);
      }

      const ready = await Promise.all(
        APPS.map(async (name) => [name, (await fetch(`${mesh.apps[name].url}/health/ready`)).status] as const),
      );
      expect(ready).toEqual(APPS.map((name) => [name, 200]));
      expect(backlog.deadLetters).toBe(0);
      expect(defects.map(({ req, defect }) => `${req.operation} [${req.label}]: ${defect}`)).toEqual([]);
      // Every operation was reached, and the admin key let validation answer (not only 401s).
      const reached = new Set(requests.map((r) => r.operation));
      expect(operations.filter((operation) => !reached.has(operationKey(operation)))).toEqual([]);
      expect(Object.keys(histogram)).toEqual(expect.arrayContaining(['400', '401']));
    },
    120_000 + ROUNDS * 120_000,
  );
});
