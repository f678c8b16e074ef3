import type * as cog from '@grafana/grafana-foundation-sdk/cog';
import {
  BarGaugeDisplayMode, BigValueColorMode, BigValueGraphMode, GraphThresholdsStyleConfigBuilder, GraphThresholdsStyleMode,
  LegendDisplayMode, LegendPlacement, LogsSortOrder, ReduceDataOptionsBuilder, SortOrder, StackingConfigBuilder, StackingMode,
  TooltipDisplayMode, VizLegendOptionsBuilder, VizTooltipOptionsBuilder,
} from '@grafana/grafana-foundation-sdk/common';
import type * as common from '@grafana/grafana-foundation-sdk/common';
import { DashboardLinkBuilder, ThresholdsConfigBuilder, ThresholdsMode } from '@grafana/grafana-foundation-sdk/dashboard';
import type * as dashboard from '@grafana/grafana-foundation-sdk/dashboard';
import { PanelBuilder as BarGaugePanel } from '@grafana/grafana-foundation-sdk/bargauge';
import { PanelBuilder as LogsPanel } from '@grafana/grafana-foundation-sdk/logs';
import { PanelBuilder as StatPanel } from '@grafana/grafana-foundation-sdk/stat';
import { PanelBuilder as TablePanel } from '@grafana/grafana-foundation-sdk/table';
import { PanelBuilder as TimeseriesPanel } from '@grafana/grafana-foundation-sdk/timeseries';

export type PanelKind = 'timeseries' | 'stat' | 'table' | 'bargauge' | 'logs';

/** A threshold step: from `value` (null = the base step) the colour is `color`. */
export type Step = readonly [value: number | null, color: string];

/** A link from a panel's values down the hierarchy; `${__field.labels.x}` fills in the row's labels. */
export interface DataLink {
  readonly title: string;
  readonly url: string;
}

/** What a dashboard file says about one panel; the builder below turns it into Grafana's model. */
export interface PanelSpec {
  readonly title: string;
  readonly description: string;
  readonly kind: PanelKind;
  readonly datasource: common.DataSourceRef;
  readonly targets: ReadonlyArray<cog.Builder<cog.Dataquery>>;
  readonly unit?: string;
  readonly w?: number;
  readonly h?: number;
  readonly thresholds?: readonly Step[];
  readonly min?: number;
  readonly max?: number;
  readonly links?: readonly DataLink[];
  readonly stacked?: boolean;
}

/** Green below, amber and red above: the usual "share of a limit" scale. */
export const LIMIT_STEPS: readonly Step[] = [[null, 'green'], [0.8, 'orange'], [0.95, 'red']];
/** Anything above zero is bad (drops, errors, firing alerts). */
export const ZERO_IS_GOOD: readonly Step[] = [[null, 'green'], [1e-9, 'red']];

function thresholds(steps: readonly Step[]): ThresholdsConfigBuilder {
  return new ThresholdsConfigBuilder().mode(ThresholdsMode.Absolute).steps(steps.map(([value, color]) => ({ value, color })));
}

function links(spec: PanelSpec): DashboardLinkBuilder[] {
  return (spec.links ?? []).map((l) => new DashboardLinkBuilder(l.title).url(l.url));
}

type AnyPanel = TimeseriesPanel | StatPanel | TablePanel | BarGaugePanel | LogsPanel;

function withCommon<P extends AnyPanel>(panel: P, spec: PanelSpec): P {
  panel.title(spec.title).description(spec.description).datasource(spec.datasource).targets([...spec.targets]);
  if (spec.unit !== undefined) panel.unit(spec.unit);
  if (spec.min !== undefined) panel.min(spec.min);
  if (spec.max !== undefined) panel.max(spec.max);
  if (spec.thresholds) panel.thresholds(thresholds(spec.thresholds));
  if (spec.links) panel.dataLinks(links(spec));
  return panel;
}

function lastValue(): ReduceDataOptionsBuilder {
  return new ReduceDataOptionsBuilder().calcs(['lastNotNull']).values(false);
}

function timeseries(spec: PanelSpec): TimeseriesPanel {
  const p = withCommon(new TimeseriesPanel(), spec)
    .legend(new VizLegendOptionsBuilder().showLegend(true).displayMode(LegendDisplayMode.Table).placement(LegendPlacement.Right).calcs(['mean', 'max', 'lastNotNull']))
    .tooltip(new VizTooltipOptionsBuilder().mode(TooltipDisplayMode.Multi).sort(SortOrder.Descending))
    .fillOpacity(spec.stacked ? 40 : 10);
  if (spec.thresholds) p.thresholdsStyle(new GraphThresholdsStyleConfigBuilder().mode(GraphThresholdsStyleMode.Dashed));
  return spec.stacked ? p.stacking(new StackingConfigBuilder().mode(StackingMode.Normal).group('A')) : p;
}

/** The panel builder for a spec, without position (the layout assigns it). */
export function buildPanel(spec: PanelSpec): cog.Builder<dashboard.Panel> {
  switch (spec.kind) {
    case 'timeseries':
      return timeseries(spec);
    case 'stat':
      return withCommon(new StatPanel(), spec).reduceOptions(lastValue()).graphMode(BigValueGraphMode.Area).colorMode(BigValueColorMode.Value);
    case 'bargauge':
      return withCommon(new BarGaugePanel(), spec).reduceOptions(lastValue()).displayMode(BarGaugeDisplayMode.Gradient);
    case 'table':
      return withCommon(new TablePanel(), spec).showHeader(true);
    case 'logs':
      return withCommon(new LogsPanel(), spec).showTime(true).wrapLogMessage(true).enableLogDetails(true).sortOrder(LogsSortOrder.Descending);
  }
}
