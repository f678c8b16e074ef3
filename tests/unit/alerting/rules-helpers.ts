import type { RollupBatch, RollupKey } from '../../../core/event';
import { parseRule, type Rule } from '../../../alerting/rules';

export function rule(overrides: Record<string, unknown>): Rule {
  return parseRule({ alert: 'HighCpu', metric: 'cpu_usage_limit_ratio', level: 'replicaset', threshold: 0.8, ...overrides });
}

export function rsKey(replicaset: string, namespace = 'shop'): RollupKey {
  return { level: 'replicaset', namespace, workload: `kubernetes/${namespace}/${replicaset}`, replicaset };
}

export function batch(atMs: number, values: ReadonlyArray<readonly [RollupKey, number]>, metric = 'cpu_usage_limit_ratio'): RollupBatch {
  return { type: 'rollups', version: 1, source: 'test', atMs, resolutionMs: 10_000, series: values.map(([key, value]) => ({ key, metric, value })) };
}
