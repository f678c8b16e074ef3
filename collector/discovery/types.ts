import type { ContainerIdentity } from '../../core/event';

/** Resource limits as configured (Docker inspect), read once per container start or `docker update`. */
export interface ContainerSpecLimits {
  /** null = unlimited. */
  readonly memoryLimitBytes: number | null;
  /** Memory + swap, as cAdvisor reports it (v1 memsw); null = unlimited. */
  readonly memorySwapLimitBytes: number | null;
  /** CFS quota per period in µs; null = no quota. `--cpus` is turned into quota/period here. */
  readonly cpuQuotaUs: number | null;
  /** The CFS period, reported with or without a quota (cAdvisor does the same). */
  readonly cpuPeriodUs: number | null;
  readonly cpuShares: number | null;
  /** Number of CPUs in `--cpuset-cpus`; null when not pinned. */
  readonly cpusetCpus: number | null;
  readonly pidsLimit: number | null;
}

/**
 * Whose network namespace the container uses. Only `own` namespaces are reported: a Kubernetes
 * app container shares its sandbox's (`shared`), and `host` would report the node's interfaces
 * as if they were the container's.
 */
export type NetworkOwnership = 'own' | 'shared' | 'host' | 'none';

/** One running container, as every metrics source sees it. Rebuilt only on lifecycle events. */
export interface DiscoveredContainer {
  readonly identity: ContainerIdentity;
  /** Host PID of the container's init process; 0 when unknown. */
  readonly pid: number;
  /** Start of the current run (Docker `State.StartedAt`); a new value marks a restart. */
  readonly startedAtMs: number;
  readonly network: NetworkOwnership;
  /** From Docker inspect; absent for containers found by walking the cgroup tree. */
  readonly spec?: ContainerSpecLimits;
  /**
   * For containers found by walking cgroups: the cgroup path (as in /proc/<pid>/cgroup), so the
   * cgroup source can read it even when no process could be located.
   */
  readonly cgroupPath?: string;
}

/** What sources need from discovery: a current snapshot, cheap to call every scrape. */
export interface ContainerView {
  /** Running containers; the array is replaced (never mutated) when membership changes. */
  list(): readonly DiscoveredContainer[];
  get(id: string): DiscoveredContainer | undefined;
}
