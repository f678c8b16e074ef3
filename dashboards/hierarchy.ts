import type { DataLink } from './panels';

/** The dashboards, by role. Metric ones exist once per store; the uid names both. */
export const BOARD = {
  cluster: 'cluster',
  replicaset: 'replicaset',
  pod: 'pod',
  node: 'node',
  logs: 'logs',
  alerts: 'alerts',
  pipeline: 'pipeline',
} as const;
export type Board = (typeof BOARD)[keyof typeof BOARD];

export type MetricStore = 'prometheus' | 'influxdb';

const STORE_SUFFIX: Record<MetricStore, string> = { prometheus: 'prom', influxdb: 'influx' };

export function boardUid(board: Board, store?: MetricStore): string {
  return store ? `cargoscope-${board}-${STORE_SUFFIX[store]}` : `cargoscope-${board}`;
}

/**
 * A link to `board` with the clicked series' labels as its variables, keeping the time range and
 * the chosen datasource, so a click on a replica set opens that replica set in the same store.
 */
export function drillDown(title: string, board: Board, store: MetricStore | undefined, labels: readonly string[]): DataLink {
  const vars = labels.map((l) => `var-${l}=\${__field.labels.${l}}`);
  const keep = ['${__url_time_range}', ...(store ? ['${datasource:queryparam}'] : [])];
  return { title, url: `/d/${boardUid(board, store)}?${[...vars, ...keep].join('&')}` };
}
