import {
  LegendDisplayMode,
  LegendPlacement,
  ReduceDataOptionsBuilder,
  SortOrder,
  StackingConfigBuilder,
  StackingMode,
  TooltipDisplayMode,
  VizLegendOptionsBuilder,
  VizTooltipOptionsBuilder,
} from '@grafana/grafana-foundation-sdk/common';
import {
  DashboardBuilder,
  DashboardCursorSync,
  DatasourceVariableBuilder,
  QueryVariableBuilder,
  RowBuilder,
  VariableRefresh,
  VariableSort,
  type Dashboard,
} from '@grafana/grafana-foundation-sdk/dashboard';
import { DataqueryBuilder } from '@grafana/grafana-foundation-sdk/prometheus';
import * as stat from '@grafana/grafana-foundation-sdk/stat';
import * as timeseries from '@grafana/grafana-foundation-sdk/timeseries';
import { ENV, type DashboardSpec, type PanelSpec } from './panel';

/** Panels and variables read whichever Prometheus the `datasource` variable selects. */
const DATASOURCE = { type: 'prometheus', uid: '${datasource}' };
const HEIGHT = { timeseries: 8, stat: 4 } as const;
const WIDTH = { timeseries: 12, stat: 6 } as const;

function labelVariable(name: string, label: string, query: string, description: string): QueryVariableBuilder {
  return new QueryVariableBuilder(name)
    .label(label)
    .description(description)
    .datasource(DATASOURCE)
    .query(query)
    .definition(query)
    .multi(true)
    .includeAll(true)
    .allValue('.*')
    .current({ text: 'All', value: '$__all' })
    .refresh(VariableRefresh.OnTimeRangeChanged)
    .sort(VariableSort.AlphabeticalAsc);
}

function panel(spec: PanelSpec, id: number): timeseries.PanelBuilder | stat.PanelBuilder {
  const built =
    spec.type === 'stat'
      ? new stat.PanelBuilder().reduceOptions(new ReduceDataOptionsBuilder().calcs(['lastNotNull']))
      : new timeseries.PanelBuilder()
          .legend(
            new VizLegendOptionsBuilder()
              .showLegend(true)
              .displayMode(LegendDisplayMode.List)
              .placement(LegendPlacement.Bottom),
          )
          .tooltip(new VizTooltipOptionsBuilder().mode(TooltipDisplayMode.Multi).sort(SortOrder.Descending))
          .fillOpacity(spec.stacked ? 30 : 10)
          .stacking(new StackingConfigBuilder().mode(spec.stacked ? StackingMode.Normal : StackingMode.None));
  built
    .id(id)
    .title(spec.title)
    .description(spec.description)
    .unit(spec.unit)
    .datasource(DATASOURCE)
    .span(spec.width ?? WIDTH[spec.type])
    .height(HEIGHT[spec.type]);
  if (spec.min !== undefined) built.min(spec.min);
  if (spec.max !== undefined) built.max(spec.max);
  spec.queries.forEach((query, i) => {
    const target = new DataqueryBuilder()
      .refId(String.fromCharCode(65 + i))
      .datasource(DATASOURCE)
      .expr(query.expr);
    built.withTarget(query.legend ? target.legendFormat(query.legend) : target);
  });
  return built;
}

/** The Grafana JSON of one dashboard: its rows and panels plus the shared variables and settings. */
export function buildDashboard(spec: DashboardSpec): Dashboard {
  const builder = new DashboardBuilder(spec.title)
    .uid(spec.uid)
    .description(spec.description)
    .tags(['metaloop'])
    .editable()
    .tooltip(DashboardCursorSync.Crosshair)
    .refresh('30s')
    .time({ from: 'now-1h', to: 'now' })
    .timezone('browser')
    .withVariable(new DatasourceVariableBuilder('datasource').label('Prometheus').type('prometheus'))
    .withVariable(
      labelVariable(
        'environment',
        'Environment',
        'label_values(up, environment)',
        'The environment target label of the scrape config',
      ),
    )
    .withVariable(
      labelVariable(
        'agent',
        'Agent',
        `label_values(metaloop_feedback_events_total{${ENV}, kind!="system"}, agent_id)`,
        'Agents that sent feedback in the selected environments',
      ),
    );
  let id = 1;
  for (const row of spec.rows) {
    builder.withRow(new RowBuilder(row.title).id(id++));
    for (const entry of row.panels) builder.withPanel(panel(entry, id++));
  }
  return builder.build();
}
