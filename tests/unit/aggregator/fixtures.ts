import { workloadId, type ContainerIdentity, type ContainerMetrics, type MetricSample, type WorkloadKind } from '../../../core/event';
import { CONTAINER_METRIC as M } from '../../../core/naming';

export interface ContainerSpec {
  id: string;
  node?: string;
  kind?: WorkloadKind;
  namespace?: string;
  replicaSet?: string;
  deployment?: string;
  pod?: string;
  sandbox?: boolean;
}

export function identity(spec: ContainerSpec): ContainerIdentity {
  const kind = spec.kind ?? 'kubernetes';
  const namespace = spec.namespace ?? 'shop';
  const replicaSet = spec.replicaSet ?? 'web-5d9c7';
  return {
    node: spec.node ?? 'node-a',
    id: spec.id,
    name: `k8s_${spec.id}`,
    image: 'busybox:latest',
    labels: {},
    containerName: spec.sandbox ? 'POD' : spec.id,
    isSandbox: spec.sandbox ?? false,
    workload: {
      kind, namespace, replicaSet, pod: spec.pod ?? `${replicaSet}-x1`, id: workloadId(kind, namespace, replicaSet),
      ...(spec.deployment ? { deployment: spec.deployment } : {}),
    },
  };
}

export interface Reading {
  cpu?: number;
  workingSet?: number;
  memLimit?: number;
  quota?: number;
  period?: number;
  rx?: number;
  tx?: number;
  periods?: number;
  throttled?: number;
}

export function container(spec: ContainerSpec, r: Reading, startedAtMs = 1000): ContainerMetrics {
  const samples: MetricSample[] = [];
  const c = (name: string, value: number | undefined, labels?: Record<string, string>): void => {
    if (value !== undefined) samples.push({ name, kind: 'counter', value, ...(labels ? { labels } : {}) });
  };
  const g = (name: string, value: number | undefined): void => {
    if (value !== undefined) samples.push({ name, kind: 'gauge', value });
  };
  c(M.cpuUsageSeconds, r.cpu);
  c(M.cpuCfsPeriods, r.periods);
  c(M.cpuCfsThrottledPeriods, r.throttled);
  c(M.networkReceiveBytes, r.rx, { interface: 'eth0' });
  c(M.networkTransmitBytes, r.tx, { interface: 'eth0' });
  g(M.memoryWorkingSetBytes, r.workingSet);
  g(M.specMemoryLimitBytes, r.memLimit);
  g(M.specCpuQuota, r.quota);
  g(M.specCpuPeriod, r.period);
  return { container: identity(spec), startedAtMs, samples };
}
