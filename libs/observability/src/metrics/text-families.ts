/**
 * Metric families with many labelled series (one per agent, arm and revision) that render their
 * own Prometheus exposition text. prom-client builds a labels object per value and merges the
 * default labels into every line at each scrape (≈ 5–15 µs a line): with 1,000 registered agents
 * feedback-api's /metrics took 100–300 ms, blocking the event loop the whole time. Here a series'
 * label text is rendered once, when the series is created, and a scrape only joins numbers
 * (≈ 0.5 µs a line). Same API shape as prom-client's `labels(...values)` / `remove(...values)`.
 */

/** Something that writes its own families in the text exposition format. */
export interface TextExposition {
  render(): string;
}

export interface FamilyOptions<L extends string> {
  name: string;
  help: string;
  labelNames: readonly L[];
  /** Labels on every series (the registry's default labels), first. */
  constantLabels: readonly (readonly [string, string])[];
}

const escapeLabelValue = (value: string) => value.replace(/\\/g, '\\\\').replace(/\n/g, '\\n').replace(/"/g, '\\"');

const formatNumber = (value: number) =>
  Number.isFinite(value) ? String(value) : Number.isNaN(value) ? 'NaN' : value > 0 ? '+Inf' : '-Inf';

abstract class TextFamily<L extends string, S extends { readonly labelText: string }> implements TextExposition {
  private readonly series = new Map<string, S>();
  private readonly header: string;

  constructor(
    protected readonly options: FamilyOptions<L>,
    type: 'counter' | 'summary' | 'histogram',
  ) {
    const help = options.help.replace(/\\/g, '\\\\').replace(/\n/g, '\\n');
    this.header = `# HELP ${options.name} ${help}\n# TYPE ${options.name} ${type}\n`;
  }

  /** The series of these label values, in labelNames order (created at its first use). */
  labels(...values: string[]): S {
    const key = values.join('\u0000');
    let series = this.series.get(key);
    if (!series) {
      const pairs = [...this.options.constantLabels, ...this.options.labelNames.map((name, i) => [name, values[i]!])];
      const labelText = pairs.map(([name, value]) => `${name}="${escapeLabelValue(value!)}"`).join(',');
      this.series.set(key, (series = this.create(labelText)));
    }
    return series;
  }

  remove(...values: string[]): void {
    this.series.delete(values.join('\u0000'));
  }

  render(): string {
    if (this.series.size === 0) return '';
    const parts: string[] = [this.header];
    for (const series of this.series.values()) this.renderSeries(series, parts);
    return parts.join('');
  }

  protected abstract create(labelText: string): S;
  protected abstract renderSeries(series: S, parts: string[]): void;
}

export interface TextCounterChild {
  readonly labelText: string;
  inc(by?: number): void;
}

export class TextCounter<L extends string> extends TextFamily<L, TextCounterChild & { value: number }> {
  constructor(options: FamilyOptions<L>) {
    super(options, 'counter');
  }

  protected create(labelText: string) {
    const series = { labelText, value: 0, inc: (by = 1) => void (series.value += by) };
    return series;
  }

  protected renderSeries(series: { labelText: string; value: number }, parts: string[]): void {
    parts.push(`${this.options.name}{${series.labelText}} ${formatNumber(series.value)}\n`);
  }
}

export interface TextObserver {
  readonly labelText: string;
  observe(value: number): void;
}

type SummarySeries = TextObserver & { sum: number; count: number };

/** A summary without quantiles: `_sum` and `_count`, which is what a mean needs. */
export class TextSummary<L extends string> extends TextFamily<L, SummarySeries> {
  constructor(options: FamilyOptions<L>) {
    super(options, 'summary');
  }

  protected create(labelText: string): SummarySeries {
    const series: SummarySeries = {
      labelText,
      sum: 0,
      count: 0,
      observe: (value) => {
        series.sum += value;
        series.count += 1;
      },
    };
    return series;
  }

  protected renderSeries(series: SummarySeries, parts: string[]): void {
    const { name } = this.options;
    parts.push(
      `${name}_sum{${series.labelText}} ${formatNumber(series.sum)}\n${name}_count{${series.labelText}} ${series.count}\n`,
    );
  }
}

type HistogramSeries = SummarySeries & { counts: Float64Array };

export class TextHistogram<L extends string> extends TextFamily<L, HistogramSeries> {
  /** `name_bucket{le="0.1",` of each bucket, `+Inf` last (prom-client's order: le first). */
  private readonly bucketHeads: string[];
  private readonly buckets: readonly number[];

  constructor(options: FamilyOptions<L> & { buckets: readonly number[] }) {
    super(options, 'histogram');
    this.buckets = options.buckets;
    this.bucketHeads = [...options.buckets.map(formatNumber), '+Inf'].map((le) => `${options.name}_bucket{le="${le}",`);
  }

  protected create(labelText: string): HistogramSeries {
    const buckets = this.buckets;
    const counts = new Float64Array(buckets.length);
    const series: HistogramSeries = {
      labelText,
      sum: 0,
      count: 0,
      counts,
      observe: (value) => {
        series.sum += value;
        series.count += 1;
        // Cumulative buckets: every bound at or above the value counts it.
        for (let i = buckets.length - 1; i >= 0 && value <= buckets[i]!; i--) counts[i]! += 1;
      },
    };
    return series;
  }

  protected renderSeries(series: HistogramSeries, parts: string[]): void {
    const { name } = this.options;
    const heads = this.bucketHeads;
    const last = heads.length - 1;
    for (let i = 0; i < last; i++) parts.push(`${heads[i]}${series.labelText}} ${series.counts[i]}\n`);
    parts.push(
      `${heads[last]}${series.labelText}} ${series.count}\n`,
      `${name}_sum{${series.labelText}} ${formatNumber(series.sum)}\n${name}_count{${series.labelText}} ${series.count}\n`,
    );
  }
}
