/**
 * Roll-up metrics. `id` is what rules, policies and InfluxDB fields use; in Prometheus a series is
 * named after the recording-rule convention `level:metric:operation`, e.g.
 * `replicaset:container_cpu_usage_seconds:sum_rate`.
 */
export const ROLLUP_METRIC = {
  cpuUsageCores: { id: 'cpu_usage_cores', metric: 'container_cpu_usage_seconds', operation: 'sum_rate', unit: 'cores' },
  cpuLimitCores: { id: 'cpu_limit_cores', metric: 'container_spec_cpu', operation: 'sum_limit', unit: 'cores' },
  cpuUsageLimitRatio: { id: 'cpu_usage_limit_ratio', metric: 'container_cpu_usage_limit', operation: 'ratio', unit: 'ratio' },
  cpuThrottledRatio: { id: 'cpu_throttled_ratio', metric: 'container_cpu_cfs_throttled_periods', operation: 'ratio_rate', unit: 'ratio' },
  memoryWorkingSetBytes: { id: 'memory_working_set_bytes', metric: 'container_memory_working_set_bytes', operation: 'sum', unit: 'bytes' },
  memoryLimitBytes: { id: 'memory_limit_bytes', metric: 'container_spec_memory_limit_bytes', operation: 'sum', unit: 'bytes' },
  memoryWorkingSetLimitRatio: { id: 'memory_working_set_limit_ratio', metric: 'container_memory_working_set_limit', operation: 'ratio', unit: 'ratio' },
  networkReceiveBytesPerSecond: { id: 'network_receive_bytes_per_second', metric: 'container_network_receive_bytes', operation: 'sum_rate', unit: 'bytes/s' },
  networkTransmitBytesPerSecond: { id: 'network_transmit_bytes_per_second', metric: 'container_network_transmit_bytes', operation: 'sum_rate', unit: 'bytes/s' },
  fsReadBytesPerSecond: { id: 'fs_read_bytes_per_second', metric: 'container_fs_reads_bytes', operation: 'sum_rate', unit: 'bytes/s' },
  fsWriteBytesPerSecond: { id: 'fs_write_bytes_per_second', metric: 'container_fs_writes_bytes', operation: 'sum_rate', unit: 'bytes/s' },
  restarts: { id: 'restarts', metric: 'container_restarts', operation: 'sum_increase', unit: 'count' },
  runningContainers: { id: 'running_containers', metric: 'container_running', operation: 'count', unit: 'count' },
} as const;

export type RollupMetricId = (typeof ROLLUP_METRIC)[keyof typeof ROLLUP_METRIC]['id'];

export const ROLLUP_LEVELS = ['container', 'pod', 'replicaset', 'namespace', 'node', 'cluster'] as const;

/** The Prometheus name of a roll-up series at a level. */
export function rollupSeriesName(level: string, metric: { readonly metric: string; readonly operation: string }): string {
  return `${level}:${metric.metric}:${metric.operation}`;
}
