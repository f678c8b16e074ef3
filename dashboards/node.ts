import type * as dashboard from '@grafana/grafana-foundation-sdk/dashboard';
import { MACHINE_METRIC, ROLLUP_METRIC as R } from '../core/naming';
import { composeDashboard } from './compose';
import { datasourceVariable, dsRef } from './datasources';
import { BOARD, boardUid, drillDown, type MetricStore } from './hierarchy';
import { rollupQuery } from './influxql';
import { LIMIT_STEPS, type PanelSpec } from './panels';
import { rollup, selector, type RollupMetric } from './promql';
import { target, type QueryPair } from './targets';
import { hierarchyVariables } from './variables';

const NODE = { node: { variable: 'node' } } as const;
const BY = ['node'];

function nodePair(m: RollupMetric, legend?: string): QueryPair {
  return { prom: rollup(m, 'node', NODE, BY), influx: rollupQuery(m, 'node', NODE, BY), by: BY, ...(legend ? { legend } : {}) };
}

function ts(store: MetricStore, title: string, description: string, unit: string, queries: readonly QueryPair[], extra: Partial<PanelSpec> = {}): PanelSpec {
  return { title, description, kind: 'timeseries', datasource: dsRef(store), unit, targets: queries.map((q) => target(store, q)), ...extra };
}

/** Capacity comes from the collector's machine series, which only the Prometheus exporter exposes. */
function capacity(store: MetricStore): PanelSpec[] {
  if (store !== 'prometheus') return [];
  const cores = `sum by (node) (${selector(MACHINE_METRIC.cpuCores, NODE)})`;
  const memory = `sum by (node) (${selector(MACHINE_METRIC.memoryBytes, NODE)})`;
  const share = (m: RollupMetric, cap: string): QueryPair => ({ prom: `${rollup(m, 'node', NODE, BY)} / ${cap}`, influx: '', by: BY, instant: true });
  return [
    ts(store, 'CPU against capacity', 'Cores used by containers and the node\'s cores.', 'none', [nodePair(R.cpuUsageCores), { prom: cores, influx: '', by: BY, legend: 'capacity {{node}}' }]),
    ts(store, 'Memory against capacity', 'Container working set and the node\'s memory.', 'bytes', [nodePair(R.memoryWorkingSetBytes), { prom: memory, influx: '', by: BY, legend: 'capacity {{node}}' }]),
    { title: 'CPU share of capacity', description: 'Containers\' CPU as a share of the node\'s cores.', kind: 'bargauge', datasource: dsRef(store), unit: 'percentunit', min: 0, max: 1, thresholds: LIMIT_STEPS, targets: [target(store, share(R.cpuUsageCores, cores))] },
    { title: 'Memory share of capacity', description: 'Working set as a share of the node\'s memory.', kind: 'bargauge', datasource: dsRef(store), unit: 'percentunit', min: 0, max: 1, thresholds: LIMIT_STEPS, targets: [target(store, share(R.memoryWorkingSetBytes, memory))] },
  ];
}

function containers(store: MetricStore): PanelSpec[] {
  const by = ['namespace', 'pod', 'container'];
  const filter = { node: { variable: 'node' } } as const;
  return [
    { title: 'Containers running', description: 'Containers (not pod sandboxes) on the node.', kind: 'stat', datasource: dsRef(store), unit: 'short', w: 6, targets: [target(store, nodePair(R.runningContainers))] },
    { title: 'Containers on the node by CPU', description: 'Cores per container now; click for the pod.', kind: 'bargauge', datasource: dsRef(store), unit: 'none', w: 18, h: 10,
      links: [drillDown('Open pod', BOARD.pod, store, by)],
      targets: [target(store, { prom: rollup(R.cpuUsageCores, 'container', filter, by), influx: rollupQuery(R.cpuUsageCores, 'container', filter, by), by, instant: true })] },
  ];
}

export function nodeDashboard(store: MetricStore): dashboard.Dashboard {
  const totals = [
    ...(store === 'prometheus' ? [] : [ts(store, 'CPU', 'Cores used by containers.', 'none', [nodePair(R.cpuUsageCores)]), ts(store, 'Memory', 'Container working set.', 'bytes', [nodePair(R.memoryWorkingSetBytes)])]),
    ts(store, 'Network', 'Container traffic, bytes per second.', 'Bps', [nodePair(R.networkReceiveBytesPerSecond, store === 'prometheus' ? 'rx {{node}}' : 'rx $tag_node'), nodePair(R.networkTransmitBytesPerSecond, store === 'prometheus' ? 'tx {{node}}' : 'tx $tag_node')]),
    ts(store, 'Block I/O', 'Container disk traffic, bytes per second.', 'Bps', [nodePair(R.fsReadBytesPerSecond, store === 'prometheus' ? 'read {{node}}' : 'read $tag_node'), nodePair(R.fsWriteBytesPerSecond, store === 'prometheus' ? 'write {{node}}' : 'write $tag_node')]),
  ];
  return composeDashboard({
    uid: boardUid(BOARD.node, store),
    title: `cargoscope / Node (${store === 'prometheus' ? 'Prometheus' : 'InfluxDB'})`,
    description: 'The containers on a node and their totals against the node\'s capacity.',
    tags: [store, 'node'],
    variables: [datasourceVariable(store), ...hierarchyVariables(store, ['node'])],
    sections: [
      { title: 'Containers', panels: containers(store) },
      { title: 'Totals', panels: [...capacity(store), ...totals] },
    ],
  });
}
