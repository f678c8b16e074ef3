/**
 * Names of the per-container samples. They are cAdvisor's and the kubelet's names, so the
 * Prometheus sink exposes them unchanged and dashboards or recording rules written for cAdvisor
 * keep working. dashboards/ imports these; nothing else retypes them.
 */
export const CONTAINER_METRIC = {
  cpuUsageSeconds: 'container_cpu_usage_seconds_total',
  cpuUserSeconds: 'container_cpu_user_seconds_total',
  cpuSystemSeconds: 'container_cpu_system_seconds_total',
  cpuCfsPeriods: 'container_cpu_cfs_periods_total',
  cpuCfsThrottledPeriods: 'container_cpu_cfs_throttled_periods_total',
  cpuCfsThrottledSeconds: 'container_cpu_cfs_throttled_seconds_total',
  /**
   * Not in cAdvisor: the Docker CLI's CPU % (100 = one core) over the interval since the previous
   * scrape, emitted only by the docker_stats source so `docker stats` users see the same figure.
   */
  cpuUsagePercent: 'container_cpu_usage_percent',

  memoryUsageBytes: 'container_memory_usage_bytes',
  memoryWorkingSetBytes: 'container_memory_working_set_bytes',
  memoryRssBytes: 'container_memory_rss',
  memoryCacheBytes: 'container_memory_cache',
  memorySwapBytes: 'container_memory_swap',
  memoryFailcnt: 'container_memory_failcnt',
  oomEvents: 'container_oom_events_total',

  fsReadsBytes: 'container_fs_reads_bytes_total',
  fsWritesBytes: 'container_fs_writes_bytes_total',
  fsReads: 'container_fs_reads_total',
  fsWrites: 'container_fs_writes_total',

  networkReceiveBytes: 'container_network_receive_bytes_total',
  networkTransmitBytes: 'container_network_transmit_bytes_total',
  networkReceivePackets: 'container_network_receive_packets_total',
  networkTransmitPackets: 'container_network_transmit_packets_total',
  networkReceiveErrors: 'container_network_receive_errors_total',
  networkTransmitErrors: 'container_network_transmit_errors_total',
  networkReceiveDropped: 'container_network_receive_packets_dropped_total',
  networkTransmitDropped: 'container_network_transmit_packets_dropped_total',

  processes: 'container_processes',
  processesLimit: 'container_spec_processes_limit',

  specCpuQuota: 'container_spec_cpu_quota',
  specCpuPeriod: 'container_spec_cpu_period',
  specCpuShares: 'container_spec_cpu_shares',
  /** Not in cAdvisor (it has no cpuset metric): the number of CPUs in the container's cpuset. */
  specCpusetCpus: 'container_spec_cpuset_cpus',
  specMemoryLimitBytes: 'container_spec_memory_limit_bytes',
  specMemorySwapLimitBytes: 'container_spec_memory_swap_limit_bytes',
  startTimeSeconds: 'container_start_time_seconds',
  lastSeen: 'container_last_seen',
} as const;

export type ContainerMetricName = (typeof CONTAINER_METRIC)[keyof typeof CONTAINER_METRIC];

export const MACHINE_METRIC = {
  cpuCores: 'machine_cpu_cores',
  memoryBytes: 'machine_memory_bytes',
} as const;

/** Labels a per-container series carries in Prometheus, as cAdvisor/kubelet name them. */
export const CONTAINER_LABEL = {
  id: 'id',
  name: 'name',
  image: 'image',
  namespace: 'namespace',
  pod: 'pod',
  container: 'container',
  device: 'device',
  interface: 'interface',
  cpu: 'cpu',
} as const;
