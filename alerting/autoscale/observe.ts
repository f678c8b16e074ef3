import { ROLLUP_METRIC } from '../../core/naming';
import type { SeriesStore } from '../engine/series-store';
import type { MetricInput } from './decide';
import type { MetricSpec } from './schema';

/** The roll-up metric a policy metric reads: resource shares of the limit, or the named series. */
export function metricIdOf(spec: MetricSpec): string {
  if ('metric' in spec) return spec.metric;
  return spec.type === 'cpu' ? ROLLUP_METRIC.cpuUsageLimitRatio.id : ROLLUP_METRIC.memoryWorkingSetLimitRatio.id;
}

export function targetOf(spec: MetricSpec): number {
  if ('target_utilization' in spec) return spec.target_utilization;
  return 'target_average' in spec ? spec.target_average : spec.target_per_replica;
}

export interface ObserveOptions {
  readonly workload: string;
  readonly nowMs: number;
  /** Only samples newer than this count (a replica silent for longer is "missing"). */
  readonly lookbackMs: number;
  /** Names of the ready replicas (Swarm task / Kubernetes pod names), when the orchestrator gave them. */
  readonly readyPods?: ReadonlySet<string>;
}

/**
 * Reads a policy metric from the roll-ups: per-replica metrics from the workload's pod-level
 * series (latest sample of each ready replica, like the HPA's latest metrics-server reading),
 * totals from the workload's replica-set series (or the selected series at another level).
 */
export function observeMetric(store: SeriesStore, spec: MetricSpec, o: ObserveOptions): MetricInput {
  const name = metricIdOf(spec);
  const since = o.nowMs - o.lookbackMs;
  if (spec.type === 'total') {
    const series = spec.level === 'replicaset' && !spec.selector['workload']
      ? store.withLabel(name, 'replicaset', 'workload', o.workload)
      : store.candidates(name, spec.level).filter((s) => Object.entries(spec.selector).every(([k, v]) => s.labels[k] === v));
    let total = 0;
    let seen = 0;
    for (const s of series) {
      const [from, to] = s.range(since, o.nowMs);
      if (to > from) { total += s.values[to - 1] as number; seen += 1; }
    }
    return seen === 0 ? { name, error: `no ${name} series for ${o.workload} in the last ${o.lookbackMs / 1000} s` } : { name, observation: { kind: 'total', total, target: targetOf(spec) } };
  }
  let sum = 0;
  let reporting = 0;
  for (const s of store.withLabel(name, 'pod', 'workload', o.workload)) {
    if (o.readyPods && !o.readyPods.has(s.labels['pod'] ?? '')) continue;
    const [from, to] = s.range(since, o.nowMs);
    if (to > from) { sum += s.values[to - 1] as number; reporting += 1; }
  }
  if (reporting === 0) return { name, error: `no ${name} from any ready replica of ${o.workload} in the last ${o.lookbackMs / 1000} s` };
  const kind = spec.type === 'average_value' ? 'average_value' : 'utilization';
  return { name, observation: { kind, average: sum / reporting, reporting, target: targetOf(spec) } };
}
