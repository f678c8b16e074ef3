import type * as dashboard from '@grafana/grafana-foundation-sdk/dashboard';
import { ALERTING_LABEL as AL, ALERTING_METRIC as A, ROLLUP_METRIC as R } from '../core/naming';
import { composeDashboard, type Section } from './compose';
import { datasourceVariable, dsRef } from './datasources';
import { BOARD, boardUid, drillDown, type MetricStore } from './hierarchy';
import { rollupQuery } from './influxql';
import { ZERO_IS_GOOD, type PanelSpec } from './panels';
import { promTarget, rollup, type RollupMetric } from './promql';
import { target, type QueryPair } from './targets';
import { hierarchyVariables } from './variables';

const NS = { namespace: { variable: 'namespace' } } as const;
const NODE = { node: { variable: 'node' } } as const;

function stat(store: MetricStore, title: string, description: string, q: QueryPair, unit = 'short'): PanelSpec {
  return { title, description, kind: 'stat', datasource: dsRef(store), targets: [target(store, q)], unit, w: 4, h: 4 };
}

/** Counting distinct series in InfluxQL: one latest value per identity, then count them. */
function influxCount(level: 'node' | 'namespace'): string {
  const inner = rollupQuery(R.runningContainers, level, level === 'node' ? NODE : NS, [level]);
  return `SELECT count("sum") FROM (${inner})`;
}

function summary(store: MetricStore): PanelSpec[] {
  const running = (level: 'node' | 'namespace', m: typeof NODE | typeof NS): string => rollup(R.runningContainers, level, m, [level]);
  const panels = [
    stat(store, 'Nodes', 'Nodes with running containers.', { prom: `count(${running('node', NODE)})`, influx: influxCount('node'), by: [] }),
    stat(store, 'Namespaces', 'Namespaces with running containers.', { prom: `count(${running('namespace', NS)})`, influx: influxCount('namespace'), by: [] }),
    stat(store, 'Containers running', 'Containers (not pod sandboxes) in the selected namespaces.', {
      prom: `sum(${running('namespace', NS)})`, influx: rollupQuery(R.runningContainers, 'namespace', NS, []), by: [],
    }),
    stat(store, 'CPU in use', 'Cores used by the selected namespaces.', {
      prom: `sum(${rollup(R.cpuUsageCores, 'namespace', NS, ['namespace'])})`, influx: rollupQuery(R.cpuUsageCores, 'namespace', NS, []), by: [],
    }, 'none'),
    stat(store, 'Memory working set', 'Working set of the selected namespaces.', {
      prom: `sum(${rollup(R.memoryWorkingSetBytes, 'namespace', NS, ['namespace'])})`, influx: rollupQuery(R.memoryWorkingSetBytes, 'namespace', NS, []), by: [],
    }, 'bytes'),
  ];
  if (store === 'prometheus') {
    // Alerts exist only in Prometheus (the alerting engine exposes them; InfluxDB never gets them).
    panels.push({ ...stat(store, 'Alerts firing', 'Alert instances firing now (cargoscope alerting).', { prom: `sum(${A.alertsFiring})`, influx: '', by: [] }), thresholds: ZERO_IS_GOOD });
  }
  return panels;
}

function namespaces(store: MetricStore): PanelSpec[] {
  const by = ['namespace'];
  return [
    { title: 'CPU by namespace', description: 'Cores used, stacked.', kind: 'timeseries', datasource: dsRef(store), unit: 'none', stacked: true,
      targets: [target(store, { prom: rollup(R.cpuUsageCores, 'namespace', NS, by), influx: rollupQuery(R.cpuUsageCores, 'namespace', NS, by), by })] },
    { title: 'Memory by namespace', description: 'Working set, stacked.', kind: 'timeseries', datasource: dsRef(store), unit: 'bytes', stacked: true,
      targets: [target(store, { prom: rollup(R.memoryWorkingSetBytes, 'namespace', NS, by), influx: rollupQuery(R.memoryWorkingSetBytes, 'namespace', NS, by), by })] },
  ];
}

function topReplicaSets(store: MetricStore): PanelSpec[] {
  const by = ['namespace', 'replicaset'];
  const link = [drillDown('Open replica set', BOARD.replicaset, store, by)];
  // Prometheus ranks with topk at the end of the range; InfluxQL's top() returns one flat series, so
  // the InfluxDB variant lists every replica set's latest value instead.
  const top = (m: RollupMetric): QueryPair => ({
    prom: `topk(10, ${rollup(m, 'replicaset', NS, by)})`, influx: rollupQuery(m, 'replicaset', NS, by), by, instant: true,
  });
  return [
    { title: 'Top replica sets by CPU', description: 'Cores used now; click for the replica set.', kind: 'bargauge', datasource: dsRef(store), unit: 'none', links: link, targets: [target(store, top(R.cpuUsageCores))] },
    { title: 'Top replica sets by memory', description: 'Working set now; click for the replica set.', kind: 'bargauge', datasource: dsRef(store), unit: 'bytes', links: link, targets: [target(store, top(R.memoryWorkingSetBytes))] },
  ];
}

function nodes(store: MetricStore): PanelSpec[] {
  const by = ['node'];
  const link = [drillDown('Open node', BOARD.node, store, by)];
  const ts = (title: string, m: RollupMetric, unit: string): PanelSpec => ({
    title, description: `${title}; click a series for the node.`, kind: 'timeseries', datasource: dsRef(store), unit, w: 8, links: link,
    targets: [target(store, { prom: rollup(m, 'node', NODE, by), influx: rollupQuery(m, 'node', NODE, by), by })],
  });
  return [
    ts('CPU by node', R.cpuUsageCores, 'none'),
    ts('Memory by node', R.memoryWorkingSetBytes, 'bytes'),
    ts('Running containers by node', R.runningContainers, 'short'),
  ];
}

function scaling(): PanelSpec[] {
  const by = [AL.workload, AL.direction, AL.reason];
  return [{
    title: 'Recent scaling decisions', description: 'Autoscaler decisions in the time range, by workload, direction and limiting reason.',
    kind: 'table', datasource: dsRef('prometheus'), unit: 'short', w: 24,
    targets: [promTarget(`sum by (${by.join(', ')}) (increase(${A.autoscalerDecisions}[$__range]))`).instant()],
  }];
}

export function clusterOverview(store: MetricStore): dashboard.Dashboard {
  const sections: Section[] = [
    { title: 'Cluster', panels: summary(store) },
    { title: 'Namespaces', panels: namespaces(store) },
    { title: 'Top replica sets', panels: topReplicaSets(store) },
    { title: 'Nodes', panels: nodes(store) },
  ];
  if (store === 'prometheus') sections.push({ title: 'Autoscaling', panels: scaling() });
  return composeDashboard({
    uid: boardUid(BOARD.cluster, store),
    title: `cargoscope / Cluster overview (${store === 'prometheus' ? 'Prometheus' : 'InfluxDB'})`,
    description: 'Nodes, namespaces, the busiest replica sets, running containers, alerts and scaling.',
    tags: [store, 'overview'],
    variables: [datasourceVariable(store), ...hierarchyVariables(store, ['node', 'namespace'])],
    sections,
  });
}
