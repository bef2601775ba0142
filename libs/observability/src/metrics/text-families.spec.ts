import { Counter, Histogram, Registry, Summary } from 'prom-client';
import { MetricsRegistry } from './metrics.registry';

/** Exposition lines with each sample's labels sorted: label order means nothing to Prometheus. */
const lines = (text: string) =>
  text
    .split('\n')
    .filter(Boolean)
    .map((line) =>
      line.replace(
        /\{(.*)\}/,
        (_, labels: string) => `{${[...labels.matchAll(/\w+="(?:[^"\\]|\\.)*"/g)].sort().join(',')}}`,
      ),
    )
    .sort();
const labelNames = ['agent_id', 'arm'] as const;
const observations: [string, string, number][] = [
  ['a', 'stable', 0.05],
  ['a', 'stable', 0.5],
  ['a', 'stable', 7],
  ['a', 'canary', 1],
  ['b "quoted"\\\nline', 'stable', 0.2],
];

/** prom-client with the app as default label: what the hand-rendered families must equal. */
function reference() {
  const registry = new Registry();
  registry.setDefaultLabels({ app: 'feedback-api' });
  return registry;
}

describe('text families render what prom-client renders, line for line', () => {
  it('histogram', async () => {
    const options = { name: 'response_seconds', help: 'Response time', buckets: [0.1, 0.5, 1, 5] };
    const expected = reference();
    const theirs = new Histogram({ ...options, labelNames: [...labelNames], registers: [expected] });
    const ours = new MetricsRegistry('feedback-api').textHistogram({ ...options, labelNames });
    for (const [agent, arm, value] of observations) {
      theirs.observe({ agent_id: agent, arm }, value);
      ours.labels(agent, arm).observe(value);
    }
    expect(lines(ours.render())).toEqual(lines(await expected.metrics()));
  });

  it('summary without quantiles', async () => {
    const options = { name: 'rating', help: 'Ratings: _sum / _count is the mean' };
    const expected = reference();
    const theirs = new Summary({ ...options, labelNames: [...labelNames], percentiles: [], registers: [expected] });
    const ours = new MetricsRegistry('feedback-api').textSummary({ ...options, labelNames });
    for (const [agent, arm, value] of observations) {
      theirs.observe({ agent_id: agent, arm }, value);
      ours.labels(agent, arm).observe(value);
    }
    expect(lines(ours.render())).toEqual(lines(await expected.metrics()));
  });

  it('counter', async () => {
    const options = { name: 'outcomes_total', help: 'Outcomes' };
    const expected = reference();
    const theirs = new Counter({ ...options, labelNames: [...labelNames], registers: [expected] });
    const ours = new MetricsRegistry('feedback-api').textCounter({ ...options, labelNames });
    for (const [agent, arm, value] of observations) {
      theirs.inc({ agent_id: agent, arm }, value);
      ours.labels(agent, arm).inc(value);
    }
    expect(lines(ours.render())).toEqual(lines(await expected.metrics()));
  });
});

describe('MetricsRegistry with text families', () => {
  it("appends them after prom-client's own, drops removed series, renders nothing for an empty family", async () => {
    const registry = new MetricsRegistry('x');
    const counter = registry.textCounter({ name: 'events_total', help: 'Events', labelNames: ['agent_id'] });
    registry.textSummary({ name: 'empty', help: 'Never observed', labelNames: ['agent_id'] });
    counter.labels('a').inc();
    counter.labels('b').inc(2);
    counter.remove('a');
    const text = await registry.metrics();
    expect(text).toContain('process_cpu_user_seconds_total{app="x"}');
    expect(text).toContain('events_total{app="x",agent_id="b"} 2');
    expect(text).not.toContain('agent_id="a"');
    expect(text).not.toContain('empty');
  });
});
