import type { DockerCpuStats, DockerMemoryStats } from './stats-json';

/**
 * The Docker CLI's own figures (`docker stats`), reproduced so our numbers match what operators
 * see in their terminal. Written from the behaviour of docker/cli's stats helpers.
 */

/** A point on the two clocks the CLI compares: the container's CPU time and the host's. */
export interface CpuReading {
  readonly totalUsageNs: number;
  readonly systemUsageNs: number;
  readonly onlineCpus: number;
}

export function cpuReading(cpu: DockerCpuStats | undefined): CpuReading | undefined {
  const total = cpu?.cpu_usage?.total_usage;
  const system = cpu?.system_cpu_usage;
  if (total === undefined || system === undefined || system === 0) return undefined;
  // Old daemons (and cgroup v1 without online_cpus) report only the per-CPU list.
  const online = cpu?.online_cpus || cpu?.cpu_usage?.percpu_usage?.length || 0;
  return { totalUsageNs: total, systemUsageNs: system, onlineCpus: online };
}

/**
 * CPU % = (container Δ / host Δ) × online CPUs × 100, and 0 whenever either delta is not positive
 * (first reading, counter reset after a restart) — exactly the CLI's guard.
 */
export function cpuPercent(current: CpuReading, previous: CpuReading | undefined): number {
  if (previous === undefined) return 0;
  const cpuDelta = current.totalUsageNs - previous.totalUsageNs;
  const systemDelta = current.systemUsageNs - previous.systemUsageNs;
  if (systemDelta > 0 && cpuDelta > 0) return (cpuDelta / systemDelta) * current.onlineCpus * 100;
  return 0;
}

/**
 * The CLI's memory figure: usage minus inactive page cache, which the kernel can drop at will.
 * cgroup v1 exposes it as `total_inactive_file` (hierarchical), v2 as `inactive_file`; when the
 * key is absent or not smaller than usage, usage is shown unchanged.
 */
export function memoryUsageNoCache(mem: DockerMemoryStats | undefined): number | undefined {
  const usage = mem?.usage;
  if (usage === undefined) return undefined;
  const stats = mem?.stats ?? {};
  const v1 = stats['total_inactive_file'];
  if (v1 !== undefined && v1 < usage) return usage - v1;
  const v2 = stats['inactive_file'];
  if (v2 !== undefined && v2 < usage) return usage - v2;
  return usage;
}

/** MEM % as the CLI prints it; 0 when the daemon reports no limit. */
export function memoryPercent(usedBytes: number, limitBytes: number | undefined): number {
  return limitBytes !== undefined && limitBytes > 0 ? (usedBytes / limitBytes) * 100 : 0;
}

/** True on cgroup v1: only v1's memory.stat has the hierarchical `total_*` keys. */
export function isCgroupV1Memory(mem: DockerMemoryStats | undefined): boolean {
  return mem?.stats?.['total_inactive_file'] !== undefined || mem?.stats?.['total_rss'] !== undefined;
}
