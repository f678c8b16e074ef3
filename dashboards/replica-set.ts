import { AnnotationQueryBuilder } from '@grafana/grafana-foundation-sdk/dashboard';
import type * as dashboard from '@grafana/grafana-foundation-sdk/dashboard';
import { ALERTING_LABEL as AL, ALERTING_METRIC as A, ROLLUP_METRIC as R } from '../core/naming';
import { composeDashboard, type Section } from './compose';
import { datasourceVariable, dsRef } from './datasources';
import { BOARD, boardUid, drillDown, type MetricStore } from './hierarchy';
import { rollupQuery } from './influxql';
import { LIMIT_STEPS, type PanelSpec, type Step } from './panels';
import { promTarget, rollup, selector, type RollupMetric } from './promql';
import { target } from './targets';
import { hierarchyVariables } from './variables';

const RS = { namespace: { variable: 'namespace' }, replicaset: { variable: 'replicaset' } } as const;
/** Alerting labels a workload by its id, `kind/namespace/replicaset` (core/event workloadId). */
export const WORKLOAD = { [AL.workload]: { regex: '.*/$namespace/$replicaset' } } as const;
const THROTTLE_STEPS: readonly Step[] = [[null, 'green'], [0.1, 'orange'], [0.25, 'red']];

function perPod(store: MetricStore, title: string, description: string, m: RollupMetric, unit: string, extra: Partial<PanelSpec> = {}): PanelSpec {
  const by = ['pod'];
  return {
    title, description, kind: 'timeseries', datasource: dsRef(store), unit,
    links: [drillDown('Open pod', BOARD.pod, store, ['namespace', 'pod'])],
    targets: [target(store, { prom: rollup(m, 'pod', RS, ['namespace', 'pod']), influx: rollupQuery(m, 'pod', RS, ['namespace', 'pod']), by })],
    ...extra,
  };
}

function replicas(store: MetricStore): PanelSpec {
  const running = rollup(R.runningContainers, 'pod', RS, ['namespace', 'pod']);
  const targets = [target(store, { prom: `count(${running} > 0)`, influx: rollupQuery(R.runningContainers, 'pod', RS, [], 'count'), by: [], legend: 'running pods' })];
  if (store === 'prometheus') {
    // Desired replicas come from the autoscaler, which only Prometheus scrapes.
    targets.push(promTarget(`max(${selector(A.autoscalerDesiredReplicas, WORKLOAD)})`, 'desired (autoscaler)'));
  }
  return { title: 'Replicas: desired vs running', description: 'Pods with running containers against the autoscaler\'s desired count.', kind: 'timeseries', datasource: dsRef(store), unit: 'short', w: 24, h: 7, targets };
}

function network(store: MetricStore): PanelSpec {
  const by = ['pod'];
  const q = (m: RollupMetric, legend: string) => target(store, {
    prom: rollup(m, 'pod', RS, ['namespace', 'pod']), influx: rollupQuery(m, 'pod', RS, ['namespace', 'pod']), by, legend: `${legend} ${store === 'prometheus' ? '{{pod}}' : '$tag_pod'}`,
  });
  return { title: 'Network per pod', description: 'Received and transmitted bytes per second.', kind: 'timeseries', datasource: dsRef(store), unit: 'Bps', w: 12,
    targets: [q(R.networkReceiveBytesPerSecond, 'rx'), q(R.networkTransmitBytesPerSecond, 'tx')] };
}

function restarts(store: MetricStore): PanelSpec {
  return { title: 'Restarts', description: 'Container restarts in the replica set per roll-up window.', kind: 'timeseries', datasource: dsRef(store), unit: 'short', w: 12,
    targets: [target(store, { prom: rollup(R.restarts, 'replicaset', RS, ['replicaset']), influx: rollupQuery(R.restarts, 'replicaset', RS, ['replicaset']), by: ['replicaset'] })] };
}

export function scalingAnnotation(): AnnotationQueryBuilder {
  const decisions = selector(A.autoscalerDecisions, WORKLOAD);
  return new AnnotationQueryBuilder()
    .name('Scaling decisions')
    .datasource(dsRef('prometheus'))
    .enable(true)
    .iconColor('purple')
    .expr(`sum by (${AL.direction}, ${AL.reason}) (increase(${decisions}[1m])) > 0`)
    .titleFormat(`scale {{${AL.direction}}}`)
    .textFormat(`{{${AL.reason}}}`)
    .step('1m');
}

export function replicaSet(store: MetricStore): dashboard.Dashboard {
  const sections: Section[] = [
    { title: 'Replicas', panels: [replicas(store)] },
    { title: 'CPU', panels: [
      perPod(store, 'CPU per pod', 'Cores used; click a series for the pod.', R.cpuUsageCores, 'none'),
      perPod(store, 'CPU against limit per pod', 'Usage as a share of the CPU limit (only pods whose containers all have one).', R.cpuUsageLimitRatio, 'percentunit', { thresholds: LIMIT_STEPS, min: 0 }),
      perPod(store, 'CPU throttling per pod', 'Share of CFS periods in which the pod was throttled.', R.cpuThrottledRatio, 'percentunit', { thresholds: THROTTLE_STEPS, min: 0, w: 24 }),
    ] },
    { title: 'Memory', panels: [
      perPod(store, 'Memory working set per pod', 'Working set bytes; click a series for the pod.', R.memoryWorkingSetBytes, 'bytes'),
      perPod(store, 'Memory against limit per pod', 'Working set as a share of the memory limit.', R.memoryWorkingSetLimitRatio, 'percentunit', { thresholds: LIMIT_STEPS, min: 0 }),
    ] },
    { title: 'Network and restarts', panels: [network(store), restarts(store)] },
  ];
  return composeDashboard({
    uid: boardUid(BOARD.replicaset, store),
    title: `cargoscope / Replica set (${store === 'prometheus' ? 'Prometheus' : 'InfluxDB'})`,
    description: 'One replica set (Kubernetes replica set, Swarm or Compose service): replicas, CPU, memory, throttling, network and scaling decisions.',
    tags: [store, 'replicaset'],
    variables: [datasourceVariable(store), ...hierarchyVariables(store, ['namespace', 'replicaset'])],
    sections,
    ...(store === 'prometheus' ? { annotations: [scalingAnnotation()] } : {}),
  });
}
