/**
 * Who a sample or log line belongs to. Computed once per container by the collector's discovery,
 * never per sample, and carried by reference in every batch.
 */

/** Which orchestrator's labels the workload identity was derived from. */
export type WorkloadKind = 'kubernetes' | 'swarm' | 'compose' | 'standalone';

/**
 * The replica set a container belongs to ("workload"), in orchestrator-neutral terms.
 * `id` is the Kafka partition key of `cargoscope.metrics.v1`: one aggregator owns a whole workload.
 */
export interface WorkloadIdentity {
  readonly kind: WorkloadKind;
  /** Kubernetes namespace; Swarm stack namespace or `swarm`; Compose project; `standalone`. */
  readonly namespace: string;
  /** Replica set (Kubernetes), service (Swarm, Compose) or the container name (standalone). */
  readonly replicaSet: string;
  /** Kubernetes deployment (replica set without its pod-template hash); service otherwise. */
  readonly deployment?: string;
  /** Kubernetes pod; Swarm task; Compose/standalone: the container name. */
  readonly pod: string;
  /** Stable key `kind/namespace/replicaSet`. */
  readonly id: string;
}

/** A container as the collector discovered it. */
export interface ContainerIdentity {
  readonly node: string;
  /** Full 64-hex id for Docker containers; the cgroup path for containers found by walking cgroups. */
  readonly id: string;
  readonly name: string;
  readonly image: string;
  /** Only allow-listed labels, so label cardinality stays bounded. */
  readonly labels: Readonly<Record<string, string>>;
  /** Container name inside the pod (Kubernetes `io.kubernetes.container.name`), else `name`. */
  readonly containerName: string;
  readonly workload: WorkloadIdentity;
  /** Kubernetes pause ("POD") container: no metrics of its own, but its network is the pod's. */
  readonly isSandbox: boolean;
}

export function workloadId(kind: WorkloadKind, namespace: string, replicaSet: string): string {
  return `${kind}/${namespace}/${replicaSet}`;
}
