import { parsePolicy, type AutoscalePolicy, type DecisionInputs } from '../../../alerting/autoscale';

/** A CPU policy on a webhook target; `overrides` replace top-level keys (behavior included). */
export function cpuPolicy(overrides: Record<string, unknown> = {}): AutoscalePolicy {
  return parsePolicy({
    name: 'web',
    target: { type: 'webhook', name: 'web' },
    workload: 'swarm/swarm/web',
    min_replicas: 1,
    max_replicas: 10,
    metrics: [{ type: 'cpu', target_utilization: 0.5 }],
    ...overrides,
  });
}

/** Inputs with one CPU observation where every ready replica reports. */
export function cpuInputs(atMs: number, current: number, average: number, ready = current): DecisionInputs {
  return {
    atMs,
    counts: { current, ready },
    metrics: [{ name: 'cpu', observation: { kind: 'utilization', average, reporting: ready, target: 0.5 } }],
  };
}
