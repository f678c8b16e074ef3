/**
 * The subset of Docker's `GET /containers/{id}/stats` body we read. Every field is optional:
 * the daemon omits what the cgroup version or the platform lacks (no `failcnt` on v2, no
 * `precpu_stats` content on a one-shot read, no `networks` with `--network none`).
 */
export interface DockerCpuStats {
  readonly cpu_usage?: {
    readonly total_usage?: number;
    readonly percpu_usage?: readonly number[];
    readonly usage_in_kernelmode?: number;
    readonly usage_in_usermode?: number;
  };
  readonly system_cpu_usage?: number;
  readonly online_cpus?: number;
  readonly throttling_data?: {
    readonly periods?: number;
    readonly throttled_periods?: number;
    readonly throttled_time?: number;
  };
}

export interface DockerMemoryStats {
  readonly usage?: number;
  readonly max_usage?: number;
  readonly failcnt?: number;
  readonly limit?: number;
  readonly stats?: Readonly<Record<string, number>>;
}

export interface DockerBlkioEntry {
  readonly major: number;
  readonly minor: number;
  /** `Read`/`Write`/`Sync`/`Async`/`Total` on v1, lower-case `read`/`write` on v2. */
  readonly op: string;
  readonly value: number;
}

export interface DockerNetworkStats {
  readonly rx_bytes?: number;
  readonly rx_packets?: number;
  readonly rx_errors?: number;
  readonly rx_dropped?: number;
  readonly tx_bytes?: number;
  readonly tx_packets?: number;
  readonly tx_errors?: number;
  readonly tx_dropped?: number;
}

export interface DockerStatsJson {
  readonly read?: string;
  readonly preread?: string;
  readonly id?: string;
  readonly name?: string;
  readonly cpu_stats?: DockerCpuStats;
  readonly precpu_stats?: DockerCpuStats;
  readonly memory_stats?: DockerMemoryStats;
  readonly blkio_stats?: {
    readonly io_service_bytes_recursive?: readonly DockerBlkioEntry[] | null;
    readonly io_serviced_recursive?: readonly DockerBlkioEntry[] | null;
  };
  readonly pids_stats?: { readonly current?: number; readonly limit?: number };
  readonly networks?: Readonly<Record<string, DockerNetworkStats>>;
}

/** Narrow check at the I/O edge: a body that is not even an object with `cpu_stats` is garbage. */
export function isDockerStatsJson(value: unknown): value is DockerStatsJson {
  return typeof value === 'object' && value !== null && 'cpu_stats' in value && 'memory_stats' in value;
}
