import { workloadId, type ContainerIdentity, type WorkloadIdentity } from '../../core/event';
import { COMPOSE_LABEL, K8S_LABEL, K8S_SANDBOX_CONTAINER_NAME, SWARM_LABEL } from './labels';

/**
 * Kubernetes' `utilrand` alphabet: no vowels (so generated names never spell words) and no
 * look-alike digits. Both the 5-character pod suffix and the pod-template-hash are drawn from it,
 * which is what lets us tell `web-7c9d8f6b5d-x2k9p` apart from a hand-written `web-frontend`.
 */
const K8S_RAND = '[bcdfghjklmnpqrstvwxz2456789]';
const POD_SUFFIX = new RegExp(`^(.+)-${K8S_RAND}{5}$`);
/** StatefulSet pods end in an ordinal; the set is the workload. */
const ORDINAL_SUFFIX = /^(.+)-(?:0|[1-9][0-9]*)$/;
/** pod-template-hash: safe-encoded uint32 (1–10 chars) in current Kubernetes, decimal before 1.11. */
const TEMPLATE_HASH_SUFFIX = new RegExp(`^(.+)-(${K8S_RAND}{6,10}|[0-9]{6,10})$`);

export interface KubernetesNames {
  readonly replicaSet: string;
  readonly deployment?: string;
}

/**
 * Replica set = pod name without its last `-xxxxx` suffix; deployment = replica set without its
 * `-<pod-template-hash>`. When the hash is known (a pod label on the sandbox) it is matched exactly;
 * otherwise the shape of the suffix decides, and a DaemonSet pod (`agent-x2k9p`) gets no deployment.
 */
export function kubernetesNames(podName: string, podTemplateHash?: string): KubernetesNames {
  const suffix = POD_SUFFIX.exec(podName) ?? ORDINAL_SUFFIX.exec(podName);
  if (!suffix?.[1]) return { replicaSet: podName };
  const replicaSet = suffix[1];
  if (podTemplateHash) {
    const tail = `-${podTemplateHash}`;
    return replicaSet.endsWith(tail) && replicaSet.length > tail.length
      ? { replicaSet, deployment: replicaSet.slice(0, -tail.length) }
      : { replicaSet };
  }
  const hash = TEMPLATE_HASH_SUFFIX.exec(replicaSet);
  return hash?.[1] ? { replicaSet, deployment: hash[1] } : { replicaSet };
}

export interface IdentityInput {
  readonly node: string;
  readonly id: string;
  /** As Docker reports it (a leading `/` is dropped). */
  readonly name: string;
  readonly image: string;
  /** All of the container's labels: identity is derived before the allow-list filters them. */
  readonly labels: Readonly<Record<string, string>>;
}

interface Derived {
  readonly workload: WorkloadIdentity;
  readonly containerName: string;
  readonly isSandbox: boolean;
}

function workload(
  kind: WorkloadIdentity['kind'],
  namespace: string,
  replicaSet: string,
  pod: string,
  deployment?: string,
): WorkloadIdentity {
  const id = workloadId(kind, namespace, replicaSet);
  return deployment === undefined
    ? { kind, namespace, replicaSet, pod, id }
    : { kind, namespace, replicaSet, deployment, pod, id };
}

function fromKubernetes(labels: Readonly<Record<string, string>>, name: string): Derived | undefined {
  const pod = labels[K8S_LABEL.podName];
  if (!pod) return undefined;
  const namespace = labels[K8S_LABEL.podNamespace] || 'default';
  const container = labels[K8S_LABEL.containerName] ?? '';
  const isSandbox = labels[K8S_LABEL.dockerType] === 'podsandbox' || container === K8S_SANDBOX_CONTAINER_NAME;
  const names = kubernetesNames(pod, labels[K8S_LABEL.podTemplateHash]);
  return {
    workload: workload('kubernetes', namespace, names.replicaSet, pod, names.deployment),
    containerName: isSandbox ? K8S_SANDBOX_CONTAINER_NAME : container || name,
    isSandbox,
  };
}

function fromSwarm(labels: Readonly<Record<string, string>>, name: string): Derived | undefined {
  const service = labels[SWARM_LABEL.serviceName];
  if (!service) return undefined;
  const namespace = labels[SWARM_LABEL.stackNamespace] || 'swarm';
  const task = labels[SWARM_LABEL.taskName] || name;
  return { workload: workload('swarm', namespace, service, task, service), containerName: name, isSandbox: false };
}

function fromCompose(labels: Readonly<Record<string, string>>, name: string): Derived | undefined {
  const project = labels[COMPOSE_LABEL.project];
  const service = labels[COMPOSE_LABEL.service];
  if (!project || !service) return undefined;
  return { workload: workload('compose', project, service, name, service), containerName: name, isSandbox: false };
}

/** Precedence follows who manages the container: a Swarm task may also carry Compose labels. */
export function deriveWorkload(labels: Readonly<Record<string, string>>, name: string): Derived {
  return (
    fromKubernetes(labels, name) ??
    fromSwarm(labels, name) ??
    fromCompose(labels, name) ?? {
      workload: workload('standalone', 'standalone', name, name),
      containerName: name,
      isSandbox: false,
    }
  );
}

export interface LabelPolicy {
  /** Exact label keys, or prefixes ending in `*`. */
  readonly allow: readonly string[];
  /** Longer values are cut, so one odd label cannot blow up a series key. */
  readonly maxValueLength: number;
}

/** Builds the filter once; the result is applied once per container, never per sample. */
export function labelFilter(policy: LabelPolicy): (labels: Readonly<Record<string, string>>) => Record<string, string> {
  const exact = new Set(policy.allow.filter((k) => !k.endsWith('*')));
  const prefixes = policy.allow.filter((k) => k.endsWith('*')).map((k) => k.slice(0, -1));
  const max = policy.maxValueLength;
  return (labels) => {
    const kept: Record<string, string> = {};
    for (const key of Object.keys(labels).sort()) {
      if (!exact.has(key) && !prefixes.some((p) => key.startsWith(p))) continue;
      const value = labels[key] ?? '';
      kept[key] = value.length > max ? value.slice(0, max) : value;
    }
    return kept;
  };
}

/** Docker names start with `/`; compose/swarm/k8s names never do. */
export function cleanName(name: string): string {
  return name.startsWith('/') ? name.slice(1) : name;
}

export function buildIdentity(
  input: IdentityInput,
  filter: (labels: Readonly<Record<string, string>>) => Record<string, string>,
): ContainerIdentity {
  const name = cleanName(input.name);
  const derived = deriveWorkload(input.labels, name);
  return Object.freeze({
    node: input.node,
    id: input.id,
    name,
    image: input.image,
    labels: Object.freeze(filter(input.labels)),
    containerName: derived.containerName,
    workload: Object.freeze(derived.workload),
    isSandbox: derived.isSandbox,
  });
}
