import { DatasourceVariableBuilder, VariableHide } from '@grafana/grafana-foundation-sdk/dashboard';
import type { DataSourceRef } from '@grafana/grafana-foundation-sdk/common';
import { ECS, INFLUX } from '../core/naming';

/** The three stores a dashboard can read; `type` is the Grafana plugin id. */
export const STORE = {
  prometheus: { type: 'prometheus', uid: 'cargoscope-prometheus', name: 'cargoscope Prometheus', url: 'http://127.0.0.1:9090' },
  influxdb: { type: 'influxdb', uid: 'cargoscope-influxdb', name: 'cargoscope InfluxDB', url: 'http://127.0.0.1:8086' },
  elasticsearch: { type: 'elasticsearch', uid: 'cargoscope-elasticsearch', name: 'cargoscope Elasticsearch', url: 'http://127.0.0.1:9200' },
} as const;

export type StoreKind = keyof typeof STORE;

/**
 * Template variable names for the datasource pickers. Metric panels use `datasource` (its type
 * depends on the dashboard variant); log panels use `elasticsearch_datasource` so a metric dashboard can
 * show logs beside metrics.
 */
export const DS_VAR = { metrics: 'datasource', logs: 'elasticsearch_datasource' } as const;

/** Panels and targets point at the picker variable, never at a fixed uid, so users can switch. */
export function dsRef(kind: StoreKind): DataSourceRef {
  return { type: STORE[kind].type, uid: `\${${kind === 'elasticsearch' ? DS_VAR.logs : DS_VAR.metrics}}` };
}

export function datasourceVariable(kind: StoreKind): DatasourceVariableBuilder {
  const name = kind === 'elasticsearch' ? DS_VAR.logs : DS_VAR.metrics;
  const store = STORE[kind];
  return new DatasourceVariableBuilder(name)
    .label(kind === 'elasticsearch' ? 'Elasticsearch data source' : 'Data source')
    .type(store.type)
    .current({ text: store.name, value: store.uid })
    .hide(VariableHide.DontHide);
}

/** Grafana provisioning entries (apiVersion 1 `datasources:` list items). */
export function provisionedDatasources(): Array<Record<string, unknown>> {
  return [
    { name: STORE.prometheus.name, uid: STORE.prometheus.uid, type: STORE.prometheus.type, access: 'proxy', url: STORE.prometheus.url, isDefault: true, jsonData: { timeInterval: '5s' } },
    {
      name: STORE.influxdb.name, uid: STORE.influxdb.uid, type: STORE.influxdb.type, access: 'proxy', url: STORE.influxdb.url,
      jsonData: { dbName: INFLUX.database, httpMode: 'GET', timeInterval: '10s' },
    },
    {
      name: STORE.elasticsearch.name, uid: STORE.elasticsearch.uid, type: STORE.elasticsearch.type, access: 'proxy', url: STORE.elasticsearch.url,
      jsonData: { index: ECS.indexPattern, timeField: ECS.timestamp, logMessageField: ECS.message, logLevelField: ECS.level, maxConcurrentShardRequests: 5 },
    },
  ];
}
