// npm run bench:efficacy — the loop's own benchmark, on the real mesh: the three apps as
// processes in a schema, NATS prefix and Redis prefix of their own, on the accelerated policy of
// bench/policies/efficacy.yaml (its fleet-sized limits scaled to --agents), with ticks only by
// REST. The fleet simulator (apps/simulator) creates the agents through the public API, drives
// their sessions from a ground truth only it knows, ticks the loop, injects regressions, and
// prints per truth class what the loop did, the fleet's true quality over time, budgets, stalled
// findings, tick durations and a PASS/FAIL line per goal; figures and a plot go to bench/results/.
// Learnable agents (--learnable, 2 of 30 by default) have nothing registered: their runtimes send
// each query and answer with the feedback, and only dynamic examples (DICL) the loop turns on by
// itself can help them (--artifacts all: every agent sends them).
//   flock /tmp/metaloop-mesh.lock npm run bench:efficacy -- --agents 30 --minutes 12 --seed 1
import { mkdirSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import policies from '@metaloop/policies';
import simulator from '../apps/simulator/dist/index.js';
import { isolation, ROOT, startApp } from './lib/harness.mjs';

// The libs and the simulator are CommonJS (swc output): their exports come as one default object.
const { parsePolicy } = policies;
const { efficacyArgs, parseFlags, renderHtml, renderText, runEfficacy, scaleFleetLimits } = simulator;

const args = efficacyArgs(parseFlags(process.argv.slice(2)), process.env);
const policyPath = writePolicy(args.agents);
const iso = await isolation('efficacy');
const env = {
  ...iso.env,
  POLICIES_PATH: policyPath,
  TICK_INTERVAL_MINUTES: '0', // the simulator is the scheduler: a tick every --tick-seconds
};
const stopAll = [];
const cleanUp = async () => {
  for (const stop of stopAll.reverse()) await stop();
  stopAll.length = 0;
  await iso.drop();
};
// Ctrl-C mid-run: stop the apps and drop the schema rather than leave them behind.
process.once('SIGINT', () => void cleanUp().finally(() => process.exit(130)));
try {
  const [feedback, oracle] = await Promise.all([startApp('feedback-api', env), startApp('oracle-api', env)]);
  stopAll.push(feedback.stop, oracle.stop);
  const orchestrator = await startApp('orchestrator', env);
  stopAll.push(orchestrator.stop);

  const report = await runEfficacy({
    endpoints: { feedbackUrl: feedback.url, oracleUrl: oracle.url },
    ...args,
    log: (line) => console.log(line),
  });
  console.log(`\n${renderText(report)}\n`);
  const out = join(ROOT, 'bench/results');
  mkdirSync(out, { recursive: true });
  const name = `efficacy-seed${args.seed}`;
  writeFileSync(join(out, `${name}.json`), `${JSON.stringify(report, null, 2)}\n`);
  writeFileSync(join(out, `${name}.html`), renderHtml(report));
  console.log(`figures: bench/results/${name}.json · plot: bench/results/${name}.html`);
} finally {
  await cleanUp();
}

/** The benchmark's policy, validated, its fleet-sized limits scaled to `agents`, as a file the apps load. */
function writePolicy(agents) {
  const source = join(ROOT, 'bench/policies/efficacy.yaml');
  const parsed = parsePolicy(readFileSync(source, 'utf8'));
  const text = parsed.ok ? JSON.stringify(scaleFleetLimits(parsed.policy, agents), null, 2) : '';
  const checked = parsed.ok ? parsePolicy(text) : parsed;
  if (!checked.ok)
    throw new Error(`${source}: ${checked.issues.map((i) => `${i.field_path ?? '(file)'}: ${i.message}`).join('; ')}`);
  const path = join(mkdtempSync(join(tmpdir(), 'bench-efficacy-')), 'policies.yaml');
  writeFileSync(path, text); // JSON is YAML
  return path;
}
