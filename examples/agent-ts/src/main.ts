/* eslint-disable no-console -- a command-line example: what it prints is its output */
// An agent that takes its live config from metaloop and reports how each answer went, through
// @metaloop/sdk. There is no model here: "answering" renders the prompt and pretends, so the
// example runs anywhere the mesh does. Stop metaloop while it runs: it keeps answering, with the
// last config it had (stale: true), and its feedback waits in a bounded buffer.
import { MetaloopClient, type MetaloopError } from '@metaloop/sdk';

const AGENT = process.env.AGENT_ID ?? 'helpful_assistant';
const REQUESTS = Number(process.env.REQUESTS ?? 200);
const USERS = ['ada', 'grace', 'linus', 'margaret', 'ken'];

const metaloop = new MetaloopClient({
  baseUrl: process.env.METALOOP_FEEDBACK_URL ?? 'http://127.0.0.1:8091',
  apiKey: process.env.METALOOP_API_KEY, // config:read + feedback:write, once keys are enforced
  config: {
    timeoutMs: 300, // the most a request waits for metaloop before using the last config
    // Used only if metaloop is down before this process ever reached it.
    fallback: {
      model: 'gpt-4o-mini',
      prompt: { version: 'local', template: 'You are a helpful assistant.' },
      params: {},
      lora: [],
      memory: [],
      examples: [],
    },
  },
  onError: (error: MetaloopError) => {
    if (error.kind !== 'config') console.warn(`metaloop: ${error.kind}: ${error.message}`);
  },
});

/** One user request: the config for this session, an answer, the feedback. */
async function handle(i: number): Promise<void> {
  const user = USERS[i % USERS.length]!;
  const sessionId = `${user}-session-${Math.floor(i / 20)}`;
  const started = performance.now();
  const { config, served, stale, reason } = await metaloop.config(AGENT, { sessionId, subjectId: user });
  if (!config) throw new Error(`no config for ${AGENT}: ${reason}`);
  if (stale && i % 20 === 0) console.log(`request ${i}: metaloop unavailable (${reason}); using the last config`);

  const prompt = `${config.prompt.template}\n\nUser: question ${i}`;
  const answer = `(${config.model}, prompt ${config.prompt.version}, ${prompt.length} chars of prompt)`;
  const success = Math.random() < (served?.arm === 'canary' ? 0.9 : 0.8);

  metaloop.feedback({
    agent_id: AGENT,
    session_id: sessionId,
    subject_id: user,
    revision_id: served?.revision_id, // the revision that answered (feedback-api fills it from the arm when absent)
    implicit: { success, response_time_ms: performance.now() - started + 200 + Math.random() * 300 },
    ...(i % 4 === 0 && { explicit: { rating: success ? 5 : 2, helpful: success } }),
    artifacts: { input: `question ${i}`, output: answer },
  });
}

async function main(): Promise<void> {
  for (let i = 0; i < REQUESTS; i++) await handle(i);
  metaloop.systemMetric({ source: 'agent-ts', name: 'requests_handled', value: REQUESTS, agent_id: AGENT });
  const delivered = await metaloop.close(10_000); // flush at shutdown
  const s = metaloop.stats();
  console.log(
    `${REQUESTS} requests: config ${s.configCalls} calls (${s.configCacheHits} from memory, ${s.configFetched} fetched, ` +
      `${s.notModified} not modified, ${s.staleServes} stale); feedback ${s.sent} sent in ${s.batches} batches, ` +
      `${s.dropped} dropped, ${s.retried} retried; ${delivered ? 'all delivered' : 'some left undelivered'}`,
  );
}

main().catch((error: unknown) => {
  console.error(error);
  process.exitCode = 1;
});
