import { collectDefaultMetrics, Histogram, Registry } from 'prom-client';
import { TextCounter, TextHistogram, TextSummary, type TextExposition } from './text-families';

type Family<L extends string> = { name: string; help: string; labelNames: readonly L[] };

/**
 * One Prometheus registry per app instance (not prom-client's global one), so several
 * apps in one test process never clash. Carries the process defaults and the HTTP histogram,
 * and the families with a series per agent, which render their own text (see text-families.ts)
 * after prom-client's.
 */
export class MetricsRegistry extends Registry {
  readonly httpDuration: Histogram<'method' | 'route' | 'status_code'>;
  private readonly expositions: TextExposition[] = [];

  constructor(private readonly app: string) {
    super();
    this.setDefaultLabels({ app });
    collectDefaultMetrics({ register: this });
    this.httpDuration = new Histogram({
      name: 'http_request_duration_seconds',
      help: 'HTTP request duration by method, route template and status code',
      labelNames: ['method', 'route', 'status_code'],
      buckets: [0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10],
      registers: [this],
    });
  }

  /** Families with many series, cheap to scrape, labelled with the app like the rest. */
  textCounter<L extends string>(options: Family<L>): TextCounter<L> {
    return this.expose(new TextCounter({ ...options, constantLabels: this.constantLabels }));
  }

  textSummary<L extends string>(options: Family<L>): TextSummary<L> {
    return this.expose(new TextSummary({ ...options, constantLabels: this.constantLabels }));
  }

  textHistogram<L extends string>(options: Family<L> & { buckets: readonly number[] }): TextHistogram<L> {
    return this.expose(new TextHistogram({ ...options, constantLabels: this.constantLabels }));
  }

  private get constantLabels() {
    return [['app', this.app]] as const;
  }

  private expose<T extends TextExposition>(exposition: T): T {
    this.expositions.push(exposition);
    return exposition;
  }

  override async metrics(): Promise<string> {
    const text = await super.metrics();
    return this.expositions.reduce((all, exposition) => all + exposition.render(), text);
  }
}
