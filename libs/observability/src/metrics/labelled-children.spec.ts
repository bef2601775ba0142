import { Counter, Registry } from 'prom-client';
import { labelledChildren } from './labelled-children';

describe('labelledChildren', () => {
  it('finds each series by its label values, so counts land where prom-client would put them', async () => {
    const registry = new Registry();
    const counter = new Counter({
      name: 'spec_total',
      help: 'spec',
      labelNames: ['kind', 'result'],
      registers: [registry],
    });
    const series = labelledChildren(counter);
    series('a', 'ok').inc();
    series('a', 'ok').inc(2);
    series('a', 'failed').inc();
    series('b', 'ok').inc();
    expect(series('a', 'ok')).toBe(series('a', 'ok'));
    const values = (await counter.get()).values.map(({ labels, value }) => [labels['kind'], labels['result'], value]);
    expect(values).toEqual([
      ['a', 'ok', 3],
      ['a', 'failed', 1],
      ['b', 'ok', 1],
    ]);
  });
});
