/** Which CPUs a reader may see, shared by cpuinfo, stat and cpu/online. */
export interface CpuVisibility {
  /** Physical CPU numbers of the cgroup's cpuset, ascending; null = all host CPUs. */
  readonly cpuset: readonly number[] | null;
  /** The cpuset as the kernel printed it ("0-1,4"), which cpu/online serves verbatim. */
  readonly cpusetText: string | null;
  /**
   * Opt-in "CPU view" (lxcfs --enable-cfs): also limit the count to ceil(quota / period), capped
   * at the cpuset size. null = cpuset only (lxcfs's default).
   */
  readonly maxCpus: number | null;
}

/** lxcfs's max_cpu_count: ceil(quota/period), at most the host's and the cpuset's CPU count. */
export function cpusFromQuota(quotaUs: number | null, periodUs: number | null, hostCpus: number, cpusetSize: number): number | null {
  if (quotaUs === null || periodUs === null || quotaUs <= 0 || periodUs <= 0) return cpusetSize > 0 ? cpusetSize : null;
  let n = Math.ceil(quotaUs / periodUs);
  n = Math.min(n, hostCpus);
  if (cpusetSize > 0 && cpusetSize < n) n = cpusetSize;
  return n;
}

export function isVisible(cpu: number, v: CpuVisibility): boolean {
  return v.cpuset === null || v.cpuset.includes(cpu);
}
