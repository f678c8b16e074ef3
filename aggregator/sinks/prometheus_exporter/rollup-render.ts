import type { ContainerIdentity, RollupBatch, RollupKey } from '../../../core/event';
import { ROLLUP_METRIC, rollupSeriesName } from '../../../core/naming';
import { escapeLabelValue, formatValue } from './exposition';

const BY_ID = new Map<string, { metric: string; operation: string }>(Object.values(ROLLUP_METRIC).map((m) => [m.id, m]));

function keyLabels(key: RollupKey): string {
  const pairs: string[] = [];
  const put = (name: string, value: string | undefined): void => {
    if (value !== undefined) pairs.push(`${name}="${escapeLabelValue(value)}"`);
  };
  put('node', key.node);
  put('namespace', key.namespace);
  put('replicaset', key.replicaset);
  put('deployment', key.deployment);
  put('pod', key.pod);
  put('container', key.container);
  return pairs.length > 0 ? `{${pairs.join(',')}}` : '';
}

/**
 * Roll-ups as recording-rule style series, `level:metric:operation`. Only metrics known to
 * core/naming are exposed, so a newer aggregator cannot inflate the name space by accident.
 */
export function renderRollups(batches: Iterable<RollupBatch>, out: Map<string, string[]>): void {
  for (const batch of batches) {
    for (const s of batch.series) {
      const metric = BY_ID.get(s.metric);
      if (!metric) continue;
      const name = rollupSeriesName(s.key.level, metric);
      let lines = out.get(name);
      if (!lines) out.set(name, (lines = []));
      lines.push(`${name}${keyLabels(s.key)} ${formatValue(s.value)}`);
    }
  }
}

/**
 * kube-state-metrics style owner series derived from container labels, so joins from pod to
 * replica set to deployment work without running kube-state-metrics.
 */
export function renderOwners(containers: Iterable<ContainerIdentity>): string {
  const pods = new Set<string>();
  const replicaSets = new Set<string>();
  for (const c of containers) {
    const w = c.workload;
    if (w.kind !== 'kubernetes') continue;
    const ns = escapeLabelValue(w.namespace);
    pods.add(`kube_pod_owner{namespace="${ns}",pod="${escapeLabelValue(w.pod)}",owner_kind="ReplicaSet",owner_name="${escapeLabelValue(w.replicaSet)}",owner_is_controller="true"} 1`);
    if (w.deployment) {
      replicaSets.add(`kube_replicaset_owner{namespace="${ns}",replicaset="${escapeLabelValue(w.replicaSet)}",owner_kind="Deployment",owner_name="${escapeLabelValue(w.deployment)}",owner_is_controller="true"} 1`);
    }
  }
  const out: string[] = [];
  if (pods.size > 0) out.push('# HELP kube_pod_owner Information about the Pod\'s owner (derived from container labels).', '# TYPE kube_pod_owner gauge', ...pods);
  if (replicaSets.size > 0) out.push('# HELP kube_replicaset_owner Information about the ReplicaSet\'s owner (derived from labels).', '# TYPE kube_replicaset_owner gauge', ...replicaSets);
  return out.length > 0 ? `${out.join('\n')}\n` : '';
}
