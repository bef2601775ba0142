// npm run bench:metrics — what one scrape of feedback-api's per-agent series costs: the text
// families of @metaloop/observability (label text rendered once per series) against prom-client
// rendering the same families with the same default label, in the same process and run. CPU
// time of this process (not wall time: the machine is shared), median of BENCH_SCRAPES scrapes.
import observability from '@metaloop/observability';
import { Counter, Histogram, Summary } from 'prom-client';
import { table } from './lib/harness.mjs';

const { MetricsRegistry } = observability;
const SCRAPES = Number(process.env.BENCH_SCRAPES ?? 21);
const FLEETS = (process.env.BENCH_AGENTS ?? '1000,5000').split(',').map(Number);
const REVISION = '01936f3e-0000-7000-8000-000000000001';
const BUCKETS = [0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30];
const BY_REVISION = ['agent_id', 'arm', 'revision_id'];

/** feedback-api's per-agent families, as text families. */
function textFamilies(registry) {
  const rating = registry.textSummary({ name: 'rating', help: 'h', labelNames: ['agent_id'] });
  const helpful = registry.textCounter({ name: 'helpful_total', help: 'h', labelNames: ['agent_id', 'helpful'] });
  const response = registry.textHistogram({ name: 'response', help: 'h', labelNames: BY_REVISION, buckets: BUCKETS });
  const outcomes = registry.textCounter({ name: 'outcomes_total', help: 'h', labelNames: BY_REVISION });
  const successes = registry.textCounter({ name: 'successes_total', help: 'h', labelNames: BY_REVISION });
  const requests = registry.textCounter({
    name: 'requests_total',
    help: 'h',
    labelNames: ['agent_id', 'arm', 'result'],
  });
  return (agent) => {
    rating.labels(agent).observe(4);
    helpful.labels(agent, 'true').inc();
    response.labels(agent, 'stable', REVISION).observe(0.12);
    outcomes.labels(agent, 'stable', REVISION).inc();
    successes.labels(agent, 'stable', REVISION).inc();
    requests.labels(agent, 'stable', 'ok').inc();
  };
}

/** The same families in prom-client, as feedback-api had them. */
function promClientFamilies(registry) {
  const registers = [registry];
  const rating = new Summary({ name: 'rating', help: 'h', labelNames: ['agent_id'], percentiles: [], registers });
  const helpful = new Counter({ name: 'helpful_total', help: 'h', labelNames: ['agent_id', 'helpful'], registers });
  const response = new Histogram({ name: 'response', help: 'h', labelNames: BY_REVISION, buckets: BUCKETS, registers });
  const outcomes = new Counter({ name: 'outcomes_total', help: 'h', labelNames: BY_REVISION, registers });
  const successes = new Counter({ name: 'successes_total', help: 'h', labelNames: BY_REVISION, registers });
  const requests = new Counter({
    name: 'requests_total',
    help: 'h',
    labelNames: ['agent_id', 'arm', 'result'],
    registers,
  });
  return (agent) => {
    const byRevision = { agent_id: agent, arm: 'stable', revision_id: REVISION };
    rating.observe({ agent_id: agent }, 4);
    helpful.inc({ agent_id: agent, helpful: 'true' });
    response.observe(byRevision, 0.12);
    outcomes.inc(byRevision);
    successes.inc(byRevision);
    requests.inc({ agent_id: agent, arm: 'stable', result: 'ok' });
  };
}

async function measure(name, agents, families) {
  const registry = new MetricsRegistry('feedback-api');
  const record = families(registry);
  for (let i = 0; i < agents; i++) record(`fleet_${i}`);
  const text = await registry.metrics();
  const cpu = [];
  const wall = [];
  for (let i = 0; i < SCRAPES; i++) {
    const [start, startCpu] = [performance.now(), process.cpuUsage()];
    await registry.metrics();
    const used = process.cpuUsage(startCpu);
    cpu.push((used.user + used.system) / 1000);
    wall.push(performance.now() - start);
  }
  const median = (values) => values.sort((a, b) => a - b)[values.length >> 1];
  return {
    agents,
    families: name,
    series: text.split('\n').filter((line) => line && !line.startsWith('#')).length,
    'body KB': Math.round(text.length / 1024),
    'cpu ms (median)': median(cpu).toFixed(1),
    'wall ms (median)': median(wall).toFixed(1),
  };
}

const rows = [];
for (const agents of FLEETS) {
  const text = await measure('text families', agents, textFamilies);
  const baseline = await measure('prom-client (baseline)', agents, promClientFamilies);
  rows.push(text, baseline, {
    agents,
    families: 'ratio prom-client / text',
    series: '',
    'body KB': '',
    'cpu ms (median)': `${(baseline['cpu ms (median)'] / text['cpu ms (median)']).toFixed(1)}×`,
    'wall ms (median)': `${(baseline['wall ms (median)'] / text['wall ms (median)']).toFixed(1)}×`,
  });
}
console.log(table(rows));
