/**
 * Container label keys written by orchestrators. These are other projects' contracts (kubelet /
 * cri-dockerd, Swarm, Compose), so they live here rather than in core/naming, which holds ours.
 */
export const K8S_LABEL = {
  podName: 'io.kubernetes.pod.name',
  podNamespace: 'io.kubernetes.pod.namespace',
  podUid: 'io.kubernetes.pod.uid',
  containerName: 'io.kubernetes.container.name',
  /** dockershim / cri-dockerd mark sandboxes `podsandbox` and app containers `container`. */
  dockerType: 'io.kubernetes.docker.type',
  /** A pod label; cri-dockerd copies pod labels onto the sandbox container. */
  podTemplateHash: 'pod-template-hash',
} as const;

export const SWARM_LABEL = {
  serviceName: 'com.docker.swarm.service.name',
  serviceId: 'com.docker.swarm.service.id',
  taskName: 'com.docker.swarm.task.name',
  taskId: 'com.docker.swarm.task.id',
  nodeId: 'com.docker.swarm.node.id',
  stackNamespace: 'com.docker.stack.namespace',
} as const;

export const COMPOSE_LABEL = {
  project: 'com.docker.compose.project',
  service: 'com.docker.compose.service',
  containerNumber: 'com.docker.compose.container-number',
} as const;

/** The container name kubelet gives a pod's sandbox ("pause") container. */
export const K8S_SANDBOX_CONTAINER_NAME = 'POD';

/** Kept by default: everything identity is derived from, nothing free-form. */
export const DEFAULT_LABEL_ALLOWLIST: readonly string[] = [
  K8S_LABEL.podName,
  K8S_LABEL.podNamespace,
  K8S_LABEL.podUid,
  K8S_LABEL.containerName,
  K8S_LABEL.dockerType,
  K8S_LABEL.podTemplateHash,
  SWARM_LABEL.serviceName,
  SWARM_LABEL.serviceId,
  SWARM_LABEL.taskName,
  SWARM_LABEL.taskId,
  SWARM_LABEL.nodeId,
  SWARM_LABEL.stackNamespace,
  COMPOSE_LABEL.project,
  COMPOSE_LABEL.service,
  COMPOSE_LABEL.containerNumber,
];
