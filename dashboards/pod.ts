import type * as dashboard from '@grafana/grafana-foundation-sdk/dashboard';
import { CONTAINER_METRIC as M, ROLLUP_METRIC as R } from '../core/naming';
import { composeDashboard } from './compose';
import { datasourceVariable, dsRef } from './datasources';
import { lucene, logsQuery } from './elastic';
import { BOARD, boardUid, type MetricStore } from './hierarchy';
import { measurementQuery, rollupQuery, type TagFilter } from './influxql';
import { LIMIT_STEPS, type PanelSpec } from './panels';
import { selector, sumRate, type RollupMetric } from './promql';
import { ECS, INFLUX } from '../core/naming';
import { target, type QueryPair } from './targets';
import { hierarchyVariables } from './variables';

/** The Prometheus variant reads the raw cAdvisor-named series, so it also works over plain cAdvisor. */
const C = { namespace: { variable: 'namespace' }, pod: { variable: 'pod' }, container: { variable: 'container' } } as const;
/** Telegraf's docker measurements carry no Kubernetes container name; they are narrowed to the pod. */
const POD_TAGS: TagFilter = { [INFLUX.containerTag.namespace]: { variable: 'namespace' }, [INFLUX.containerTag.pod]: { variable: 'pod' } };
const BY = ['container'];

function ts(store: MetricStore, title: string, description: string, unit: string, queries: readonly QueryPair[], extra: Partial<PanelSpec> = {}): PanelSpec {
  return { title, description, kind: 'timeseries', datasource: dsRef(store), unit, targets: queries.map((q) => target(store, q)), ...extra };
}

function rollupPair(m: RollupMetric, prom: string, legend?: string): QueryPair {
  return { prom, influx: rollupQuery(m, 'container', C, BY), by: BY, ...(legend ? { legend } : {}) };
}

function cpu(store: MetricStore): PanelSpec[] {
  const quota = `sum by (container) (${selector(M.specCpuQuota, C)} / ${selector(M.specCpuPeriod, C)})`;
  const throttled = `${sumRate(M.cpuCfsThrottledPeriods, C, BY)} / ${sumRate(M.cpuCfsPeriods, C, BY)}`;
  return [
    ts(store, 'CPU against limit', 'Cores used and the CFS quota in cores.', 'none', [
      rollupPair(R.cpuUsageCores, sumRate(M.cpuUsageSeconds, C, BY)),
      rollupPair(R.cpuLimitCores, quota, store === 'prometheus' ? 'limit {{container}}' : 'limit $tag_container'),
    ]),
    ts(store, 'CPU throttling', 'Share of CFS periods throttled.', 'percentunit', [rollupPair(R.cpuThrottledRatio, throttled)], { min: 0, thresholds: [[null, 'green'], [0.1, 'orange'], [0.25, 'red']] }),
  ];
}

function memory(store: MetricStore): PanelSpec[] {
  const ratio = `sum by (container) (${selector(M.memoryWorkingSetBytes, C)}) / sum by (container) (${selector(M.specMemoryLimitBytes, C)} > 0)`;
  return [
    ts(store, 'Memory working set against limit', 'Working set (what the OOM killer looks at) and the limit.', 'bytes', [
      rollupPair(R.memoryWorkingSetBytes, `sum by (container) (${selector(M.memoryWorkingSetBytes, C)})`),
      rollupPair(R.memoryLimitBytes, `sum by (container) (${selector(M.specMemoryLimitBytes, C)} > 0)`, store === 'prometheus' ? 'limit {{container}}' : 'limit $tag_container'),
    ]),
    { title: 'Working set / limit', description: 'Near 100 % the container is about to be OOM-killed or reclaimed hard.', kind: 'bargauge', datasource: dsRef(store),
      unit: 'percentunit', min: 0, max: 1, thresholds: LIMIT_STEPS, targets: [target(store, rollupPair(R.memoryWorkingSetLimitRatio, ratio))] },
  ];
}

function io(store: MetricStore): PanelSpec[] {
  const net = (metric: string, field: string, legend: string): QueryPair => ({
    prom: sumRate(metric, C, ['interface']), influx: measurementQuery(INFLUX.measurement.net, field, POD_TAGS, [INFLUX.containerTag.network], true),
    by: [], legend: `${legend} ${store === 'prometheus' ? '{{interface}}' : '$tag_network'}`,
  });
  const disk = (metric: string, field: string, legend: string): QueryPair => ({
    prom: sumRate(metric, C, ['device']), influx: measurementQuery(INFLUX.measurement.blkio, field, POD_TAGS, [INFLUX.containerTag.device], true),
    by: [], legend: `${legend} ${store === 'prometheus' ? '{{device}}' : '$tag_device'}`,
  });
  return [
    ts(store, 'Network', 'Bytes per second by interface (shared by the pod\'s containers).', 'Bps', [
      net(M.networkReceiveBytes, INFLUX.field.rxBytes, 'rx'), net(M.networkTransmitBytes, INFLUX.field.txBytes, 'tx'),
    ]),
    ts(store, 'Block I/O', 'Bytes per second read and written, by device.', 'Bps', [
      disk(M.fsReadsBytes, INFLUX.field.blkioRead, 'read'), disk(M.fsWritesBytes, INFLUX.field.blkioWrite, 'write'),
    ]),
  ];
}

function restartsAndLogs(store: MetricStore): PanelSpec[] {
  const started = `sum by (container) (changes(${selector(M.startTimeSeconds, C)}[$__rate_interval]))`;
  const logs = lucene([[ECS.namespace, 'namespace'], [ECS.pod, 'pod'], [ECS.kubernetesContainer, 'container']]);
  return [
    ts(store, 'Restarts', 'Restarts per interval (a new start time).', 'short', [rollupPair(R.restarts, started)], { w: 24, h: 6, thresholds: [[null, 'green'], [1, 'red']] }),
    { title: 'Recent logs', description: 'The container\'s log lines (Elasticsearch, ECS).', kind: 'logs', datasource: dsRef('elasticsearch'), w: 24, h: 12, targets: [logsQuery(logs)] },
  ];
}

export function podContainer(store: MetricStore): dashboard.Dashboard {
  return composeDashboard({
    uid: boardUid(BOARD.pod, store),
    title: `cargoscope / Pod and container (${store === 'prometheus' ? 'Prometheus' : 'InfluxDB'})`,
    description: 'One container of a pod: CPU and throttling, working set against the limit, network, block I/O, restarts and its recent logs.',
    tags: [store, 'pod'],
    variables: [datasourceVariable(store), datasourceVariable('elasticsearch'), ...hierarchyVariables(store, ['namespace', 'pod', 'container'])],
    sections: [
      { title: 'CPU', panels: cpu(store) },
      { title: 'Memory', panels: memory(store) },
      { title: 'Network and block I/O', panels: io(store) },
      { title: 'Restarts and logs', panels: restartsAndLogs(store) },
    ],
  });
}
