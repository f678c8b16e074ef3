import { workloadId, type ContainerMetrics, type MetricBatch, type MetricSample } from '../../core/event';
import { CONTAINER_METRIC as M } from '../../core/naming';

/**
 * A synthetic fleet shaped like a real one: `containers` spread over nodes, namespaces and
 * 3-replica sets, each with the ~25 samples the cgroup source emits. Values grow with `tick`
 * so rates are non-trivial.
 */
export function fleetBatches(containers: number, nodes: number, tick: number, atMs: number): MetricBatch[] {
  const perNode = Math.ceil(containers / nodes);
  const batches: MetricBatch[] = [];
  for (let n = 0; n < nodes; n += 1) {
    const list: ContainerMetrics[] = [];
    for (let i = n * perNode; i < Math.min(containers, (n + 1) * perNode); i += 1) list.push(fleetContainer(i, `node-${n}`, tick));
    batches.push({ type: 'metrics', version: 1, node: `node-${n}`, source: 'bench', scrapedAtMs: atMs, containers: list });
  }
  return batches;
}

function fleetContainer(i: number, node: string, tick: number): ContainerMetrics {
  const namespace = `ns-${i % 50}`;
  const replicaSet = `app-${Math.floor(i / 3)}-7d4f9`;
  const counter = (name: string, value: number, labels?: Record<string, string>): MetricSample => ({ name, kind: 'counter', value, ...(labels ? { labels } : {}) });
  const gauge = (name: string, value: number): MetricSample => ({ name, kind: 'gauge', value });
  const t = tick * 10;
  return {
    container: {
      node, id: `c${i.toString(16).padStart(12, '0')}`, name: `k8s_app_${replicaSet}-${i}`, image: 'registry/app:1.2.3', labels: {},
      containerName: 'app', isSandbox: false,
      workload: { kind: 'kubernetes', namespace, replicaSet, deployment: `app-${Math.floor(i / 3)}`, pod: `${replicaSet}-${i}`, id: workloadId('kubernetes', namespace, replicaSet) },
    },
    startedAtMs: 1_000,
    samples: [
      counter(M.cpuUsageSeconds, t * 0.3), counter(M.cpuUserSeconds, t * 0.2), counter(M.cpuSystemSeconds, t * 0.1),
      counter(M.cpuCfsPeriods, t * 10), counter(M.cpuCfsThrottledPeriods, t), counter(M.cpuCfsThrottledSeconds, t * 0.01),
      gauge(M.memoryUsageBytes, 200e6), gauge(M.memoryWorkingSetBytes, 150e6), gauge(M.memoryRssBytes, 120e6), gauge(M.memoryCacheBytes, 50e6),
      gauge(M.memorySwapBytes, 0), counter(M.memoryFailcnt, 0), counter(M.oomEvents, 0),
      counter(M.fsReadsBytes, t * 4096, { device: '8:0' }), counter(M.fsWritesBytes, t * 8192, { device: '8:0' }),
      counter(M.networkReceiveBytes, t * 1e5, { interface: 'eth0' }), counter(M.networkTransmitBytes, t * 5e4, { interface: 'eth0' }),
      counter(M.networkReceivePackets, t * 100, { interface: 'eth0' }), counter(M.networkTransmitPackets, t * 60, { interface: 'eth0' }),
      gauge(M.processes, 4), gauge(M.specCpuQuota, 50_000), gauge(M.specCpuPeriod, 100_000), gauge(M.specCpuShares, 512),
      gauge(M.specMemoryLimitBytes, 512 * 1024 * 1024), gauge(M.startTimeSeconds, 1),
    ],
  };
}

export function median(values: readonly number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = Math.floor(sorted.length / 2);
  return sorted.length % 2 ? (sorted[mid] as number) : ((sorted[mid - 1] as number) + (sorted[mid] as number)) / 2;
}
