import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { uuidv7 } from '@metaloop/core';
import { eventually, withClient } from '@metaloop/testing';
import { configHarness, type ConfigHarness } from '../__tests__/config-harness';

const DAY_MINUTES = 1_440;

describe("feedback-api ranks a subject's goals by the policy's memory.half_life_days, hot-reloaded (real Postgres)", () => {
  let h: ConfigHarness;
  const policyPath = join(mkdtempSync(join(tmpdir(), 'feedback-memory-policy-')), 'policies.yaml');
  const writePolicy = (halfLifeDays: number) =>
    writeFileSync(policyPath, `memory:\n  half_life_days: ${halfLifeDays}\n`);

  beforeAll(async () => {
    writePolicy(365);
    h = await configHarness(
      'subject_memory_policy',
      {
        POLICIES_PATH: policyPath,
        POLICIES_POLL_INTERVAL_MS: '100',
        // Every fetch reads Postgres: what is served is what the policy in force ranks now.
        SUBJECT_CONTEXT_CACHE_MS: '0',
        // The setting the policy replaced: left in an environment, it changes nothing.
        SUBJECT_MEMORY_HALF_LIFE_DAYS: '0.01',
      },
      1,
    );
    await h.createAgent('helper');
    // Weight × confidence (0.8), halved every half_life_days: an old heavy goal and a recent light one.
    await remember('u1', 'old but heavy', 4, 20 * DAY_MINUTES);
    await remember('u1', 'recent but light', 1, 0);
  });
  afterAll(async () => {
    await h?.dispose();
    rmSync(dirname(policyPath), { recursive: true, force: true });
  });

  const app = () => h.replicas[0]!;
  /** Writes a goal the way oracle-api's loop/memory does (tests may; production code may not). */
  const remember = (subject: string, text: string, weight: number, minutesAgo: number) =>
    withClient(async (client) => {
      await client.query(`SET search_path TO "${h.schema.schema}"`);
      await client.query(
        `INSERT INTO subject_memory_items (id, subject_id, agent_id, kind, text, key, weight, confidence, tags, event_id, updated_at)
         VALUES ($1, $2, 'helper', 'GOAL', $3, $4, $5, 0.8, $6, 'e', now() - make_interval(mins => $7))`,
        [uuidv7(), subject, text, `${text}-${uuidv7()}`, weight, ['learned', 'selection_derived'], minutesAgo],
      );
    });
  const servedGoals = async () => {
    const response = await app().inject({
      method: 'GET',
      url: '/api/v1/agents/helper/config?session_id=s1&subject_id=u1',
    });
    expect(response.statusCode).toBe(200);
    return response
      .json<{ subject_context: { goals: Array<{ text: string }> } }>()
      .subject_context.goals.map((g) => g.text);
  };
  const memoryGoals = async () => {
    const response = await app().inject({ method: 'GET', url: '/api/v1/subjects/u1/memory' });
    return response.json<{ items: Array<{ kind: string; text: string }> }>().items.map((i) => i.text);
  };

  it('a long half-life keeps the old heavy goal first (20 days at 365: 4 × 0.8 × 0.96 ≈ 3.1 against 0.8)', async () => {
    expect(await servedGoals()).toEqual(['old but heavy', 'recent but light']);
    expect(await memoryGoals()).toEqual(['old but heavy', 'recent but light']);
  });

  it('the policy file rewritten with a short half-life ranks the recent goal first in the next fetch, without a restart', async () => {
    // 20 days at a half-life of 1 day: 3.2 × 2^-20, far below the recent goal's 0.8.
    writePolicy(1);
    await eventually(async () => expect(await servedGoals()).toEqual(['recent but light', 'old but heavy']));
    expect(await memoryGoals()).toEqual(['recent but light', 'old but heavy']);
  });
});
