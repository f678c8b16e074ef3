export { classifySwarmError, DockerSwarmActuator } from './docker-swarm';
export { inClusterConnection, kubeconfigConnection } from './kube-config';
export type { KubeConnection } from './kube-config';
export { KubernetesActuator, kubeRequest } from './kubernetes';
export type { KubeTarget } from './kubernetes';
export { ScaleConflictError } from './types';
export type { Actuator, ScaleState } from './types';
export { CLOUDEVENT_TYPE, decisionCloudEvent, sendDecision, WebhookActuator } from './webhook';
export type { CloudEvent, DecisionWebhookOptions } from './webhook';
