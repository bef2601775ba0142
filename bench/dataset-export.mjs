// npm run bench:dataset-export — how fast oracle-api builds a training dataset (seed 001's
// pipeline) over N stored feedback events (BENCH_EVENTS, default 1,000,000) of one agent, and
// its peak memory while it does (the events are read in keyset pages, never all at once).
// The mix: 60 % good answers with artifacts (a tenth of them repeats), 15 % rated 2, 15 %
// without artifacts, 10 % corrections. Prints events/s and oracle-api's peak RSS before and
// after the build.
import { readFileSync } from 'node:fs';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { isolation, sleep, sql, startApp } from './lib/harness.mjs';

const EVENTS = Number(process.env.BENCH_EVENTS ?? 1_000_000);
const iso = await isolation('dataset_export');
const dir = mkdtempSync(join(tmpdir(), 'metaloop-bench-datasets-'));
const env = {
  ...iso.env,
  TICK_INTERVAL_MINUTES: '0',
  DATASETS_DIR: dir,
};
const peakRssMb = (pid) => {
  const line = readFileSync(`/proc/${pid}/status`, 'utf8').match(/VmHWM:\s+(\d+) kB/);
  return line ? Math.round(Number(line[1]) / 1024) : NaN;
};
let oracle;
try {
  oracle = await startApp('oracle-api', env);
  const seeded = performance.now();
  await sql(
    `INSERT INTO "${iso.id}".feedback_events (event_id, agent_id, session_id, revision_id, occurred_at, tags, payload)
     SELECT 'b' || i, 'bench_agent', 's' || (i % 1000), 'rev_a', now() - interval '1 day' + i * interval '1 ms', '{}',
       CASE
         WHEN i % 20 < 12 THEN jsonb_build_object('explicit', jsonb_build_object('rating', 5),
           'artifacts', jsonb_build_object('input', 'question ' || (CASE WHEN i % 10 = 0 THEN i - 1 ELSE i END),
                                           'output', 'a helpful answer to question ' || (CASE WHEN i % 10 = 0 THEN i - 1 ELSE i END)))
         WHEN i % 20 < 15 THEN jsonb_build_object('explicit', jsonb_build_object('rating', 2),
           'artifacts', jsonb_build_object('input', 'question ' || i, 'output', 'a poor answer'))
         WHEN i % 20 < 18 THEN jsonb_build_object('explicit', jsonb_build_object('rating', 5))
         ELSE jsonb_build_object('explicit', jsonb_build_object('correction', 'the right answer to ' || i),
           'artifacts', jsonb_build_object('input', 'question ' || i, 'output', 'a wrong answer'))
       END
     FROM generate_series(1, $1::int) AS i`,
    [EVENTS],
  );
  const seedSeconds = (performance.now() - seeded) / 1000;
  const before = peakRssMb(oracle.pid);
  const started = performance.now();
  const created = await fetch(`${oracle.url}/api/v1/datasets`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ agent_id: 'bench_agent' }),
  }).then((r) => r.json());
  let dataset;
  for (;;) {
    dataset = await fetch(`${oracle.url}/api/v1/datasets/${created.dataset_id}`).then((r) => r.json());
    if (dataset.status !== 'building') break;
    await sleep(200);
  }
  const seconds = (performance.now() - started) / 1000;
  if (dataset.status !== 'ready') throw new Error(`dataset ${dataset.status}: ${dataset.error}`);
  const { counts, files } = dataset.manifest;
  console.log(`${EVENTS} events seeded in ${seedSeconds.toFixed(1)} s`);
  console.log(
    `dataset built in ${seconds.toFixed(1)} s → ${Math.round(EVENTS / seconds)} events/s; ` +
      `oracle-api peak RSS ${before} MB before, ${peakRssMb(oracle.pid)} MB after`,
  );
  console.log(`counts ${JSON.stringify(counts)}`);
  console.log(
    `train.jsonl ${(files.train.bytes / 1e6).toFixed(1)} MB, validation.jsonl ${(files.validation.bytes / 1e6).toFixed(1)} MB`,
  );
} finally {
  await oracle?.stop();
  rmSync(dir, { recursive: true, force: true });
  await iso.drop();
}
