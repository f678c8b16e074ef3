import { z } from 'zod';

/**
 * Autoscaler policies, in the shape users know from HPA v2 (autoscaling/v2 HorizontalPodAutoscaler),
 * spelled the project's way: snake_case, units in names. Defaults are the HPA's own.
 */

const scalingPolicySchema = z.strictObject({
  type: z.enum(['pods', 'percent']),
  value: z.number().int().positive(),
  period_secs: z.number().int().positive().max(1800),
});

function rulesSchema(defaults: { window: number; policies: Array<z.infer<typeof scalingPolicySchema>> }) {
  return z.strictObject({
    stabilization_window_secs: z.number().int().nonnegative().max(3600).default(defaults.window),
    /** Ratio band around 1.0 inside which no change is proposed (the HPA's --horizontal-pod-autoscaler-tolerance). */
    tolerance: z.number().nonnegative().max(1).default(0.1),
    select_policy: z.enum(['max', 'min', 'disabled']).default('max'),
    policies: z.array(scalingPolicySchema).min(1).default(defaults.policies),
  });
}

/** HPA defaults: up = max(4 pods, +100 %) per 15 s with no window; down = −100 % per 15 s after a 300 s window. */
export const scaleUpSchema = rulesSchema({
  window: 0,
  policies: [{ type: 'pods', value: 4, period_secs: 15 }, { type: 'percent', value: 100, period_secs: 15 }],
});
export const scaleDownSchema = rulesSchema({ window: 300, policies: [{ type: 'percent', value: 100, period_secs: 15 }] });

const levelSchema = z.enum(['pod', 'replicaset', 'namespace', 'node', 'cluster']);

/** Resource share of the limit (cpu_usage_limit_ratio / memory_working_set_limit_ratio), per replica. */
const resourceMetricSchema = z.strictObject({
  type: z.enum(['cpu', 'memory']),
  /** Target average utilisation as a share of the limit: 0.7 = 70 %. */
  target_utilization: z.number().positive(),
});

/** Any per-replica roll-up (pod level), averaged over the ready replicas that report it. */
const averageMetricSchema = z.strictObject({
  type: z.literal('average_value'),
  metric: z.string().min(1),
  target_average: z.number().positive(),
});

/** Queue-like demand: the workload's total divided by what one replica should handle. */
const totalMetricSchema = z.strictObject({
  type: z.literal('total'),
  metric: z.string().min(1),
  level: levelSchema.default('replicaset'),
  /** Labels the series must carry when it is not the target's own replica set (namespace, node…). */
  selector: z.record(z.string(), z.string()).default({}),
  target_per_replica: z.number().positive(),
});

export const metricSpecSchema = z.discriminatedUnion('type', [resourceMetricSchema, averageMetricSchema, totalMetricSchema]);

export const targetSchema = z.discriminatedUnion('type', [
  z.strictObject({ type: z.literal('docker_swarm'), service: z.string().min(1) }),
  z.strictObject({
    type: z.literal('kubernetes'),
    namespace: z.string().min(1).default('default'),
    kind: z.enum(['Deployment', 'ReplicaSet', 'StatefulSet']).default('Deployment'),
    name: z.string().min(1),
  }),
  /** No orchestrator: the decision goes to the webhook actuator only; replicas come from the roll-ups. */
  z.strictObject({ type: z.literal('webhook'), name: z.string().min(1) }),
]);

export const policySchema = z
  .strictObject({
    name: z.string().regex(/^[A-Za-z0-9][A-Za-z0-9_.-]{0,62}$/, 'policy names are 1-63 letters, digits, _ . -'),
    target: targetSchema,
    /** The roll-up workload id (`kind/namespace/replicaSet`) whose series feed the metrics. */
    workload: z.string().min(1),
    min_replicas: z.number().int().nonnegative().default(1),
    max_replicas: z.number().int().positive(),
    metrics: z.array(metricSpecSchema).min(1),
    behavior: z
      .strictObject({ scale_up: scaleUpSchema.prefault({}), scale_down: scaleDownSchema.prefault({}) })
      .prefault({}),
  })
  .refine((p) => p.min_replicas <= p.max_replicas, { message: 'min_replicas must not exceed max_replicas', path: ['min_replicas'] });

export const policyFileSchema = z.strictObject({ policies: z.array(policySchema).min(1) });

export type ScalingPolicy = z.infer<typeof scalingPolicySchema>;
export type ScalingRules = z.infer<typeof scaleUpSchema>;
export type MetricSpec = z.infer<typeof metricSpecSchema>;
export type ScaleTarget = z.infer<typeof targetSchema>;
export type AutoscalePolicy = z.infer<typeof policySchema>;
