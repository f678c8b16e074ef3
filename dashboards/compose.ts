import type * as cog from '@grafana/grafana-foundation-sdk/cog';
import {
  DashboardBuilder, DashboardCursorSync, DashboardLinkBuilder, DashboardLinkType, RowBuilder, TimePickerBuilder,
} from '@grafana/grafana-foundation-sdk/dashboard';
import type * as dashboard from '@grafana/grafana-foundation-sdk/dashboard';
import { buildPanel, type PanelSpec } from './panels';

/** Every cargoscope dashboard carries this tag; the dashboard links menu lists them by it. */
export const TAG = 'cargoscope';
/** Grafana 12's dashboard JSON model version (what the SDK emits; checked by the unit test). */
export const SCHEMA_VERSION = 42;
const GRID_WIDTH = 24;

export interface Section {
  readonly title: string;
  readonly panels: readonly PanelSpec[];
}

export interface DashboardSpec {
  readonly uid: string;
  readonly title: string;
  readonly description: string;
  readonly tags: readonly string[];
  readonly variables: ReadonlyArray<cog.Builder<dashboard.VariableModel>>;
  readonly sections: readonly Section[];
  readonly annotations?: ReadonlyArray<cog.Builder<dashboard.AnnotationQuery>>;
  readonly refresh?: string;
}

/**
 * Positions panels left to right, wrapping at the grid width, a row header per section. Done here
 * rather than by the SDK's auto-layout, which lets a panel overflow the right edge.
 */
function layout(builder: DashboardBuilder, sections: readonly Section[]): void {
  let y = 0;
  for (const section of sections) {
    builder.withRow(new RowBuilder(section.title).gridPos({ x: 0, y, w: GRID_WIDTH, h: 1 }));
    y += 1;
    let x = 0;
    let lineHeight = 0;
    for (const spec of section.panels) {
      const w = Math.min(spec.w ?? 12, GRID_WIDTH);
      const h = spec.h ?? 8;
      if (x + w > GRID_WIDTH) [x, y, lineHeight] = [0, y + lineHeight, 0];
      const panel = buildPanel(spec).build();
      panel.gridPos = { x, y, w, h };
      builder.withPanel({ build: () => panel });
      x += w;
      lineHeight = Math.max(lineHeight, h);
    }
    y += lineHeight;
  }
}

function refIdOf(index: number): string {
  return index < 26 ? String.fromCharCode(65 + index) : `Q${index}`;
}

/** Ids, refIds and per-target datasources: what Grafana fills in on save, filled in here so the JSON is stable. */
function finalize(model: dashboard.Dashboard): dashboard.Dashboard {
  let id = 0;
  for (const panel of model.panels ?? []) {
    panel.id = ++id;
    const targets = 'targets' in panel ? (panel.targets ?? []) : [];
    targets.forEach((t, i) => {
      const target = t as unknown as { refId?: string; datasource?: unknown };
      target.refId ??= refIdOf(i);
      target.datasource ??= 'datasource' in panel ? panel.datasource : undefined;
    });
  }
  return model;
}

export function composeDashboard(spec: DashboardSpec): dashboard.Dashboard {
  const builder = new DashboardBuilder(spec.title)
    .uid(spec.uid)
    .description(spec.description)
    .tags([TAG, ...spec.tags])
    .editable()
    .tooltip(DashboardCursorSync.Crosshair)
    .timezone('browser')
    .time({ from: 'now-1h', to: 'now' })
    .timepicker(new TimePickerBuilder().refreshIntervals(['10s', '30s', '1m', '5m', '15m']))
    .refresh(spec.refresh ?? '30s')
    .variables([...spec.variables])
    .link(new DashboardLinkBuilder('cargoscope').type(DashboardLinkType.Dashboards).tags([TAG]).asDropdown(true).includeVars(true).keepTime(true));
  builder.annotations([...(spec.annotations ?? [])]);
  layout(builder, spec.sections);
  return finalize(builder.build());
}
