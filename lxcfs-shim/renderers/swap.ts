/**
 * Swap figures shared by meminfo and swaps, so the two files can never disagree.
 * All values in kB, as both files print them.
 */
export interface SwapInput {
  readonly version: 1 | 2;
  /** False when swap accounting is unavailable (v1 without memsw files, v2 without memory.swap.*). */
  readonly accounted: boolean;
  /** Effective memory limit in kB (already min over ancestors and capped at host RAM). */
  readonly memLimitKb: number;
  /** Memory usage in kB (memory.usage_in_bytes / memory.current). */
  readonly memUsageKb: number;
  /**
   * v1: effective memory+swap limit (memsw, min over ancestors) in kB;
   * v2: effective swap-only limit (memory.swap.max, min over ancestors) in kB. null = unlimited.
   */
  readonly limitKb: number | null;
  /** v1: memsw usage (memory + swap) in kB; v2: memory.swap.current in kB. */
  readonly usageKb: number;
  readonly swappiness: number | null;
  readonly hostSwapTotalKb: number;
}

export interface SwapFigures {
  readonly totalKb: number;
  readonly usedKb: number;
}

/**
 * lxcfs 5.0.3 on v1 reports SwapTotal as the memory+swap limit (not just its swap part), capped
 * at the host's swap size; we keep that so static fields match. v2 (which lxcfs 5.0 does not
 * serve at all) uses memory.swap.max, which is already swap-only. Swappiness 0 means the cgroup
 * will not swap, so like lxcfs we report total = used.
 */
export function swapFigures(s: SwapInput): SwapFigures {
  if (!s.accounted) return { totalKb: 0, usedKb: 0 };
  let total: number;
  let used: number;
  if (s.version === 1) {
    const swapPart = s.limitKb === null ? Infinity : Math.max(0, s.limitKb - s.memLimitKb);
    total = swapPart + s.memLimitKb;
    used = Math.max(0, s.usageKb - s.memUsageKb);
  } else {
    total = s.limitKb ?? Infinity;
    used = s.usageKb;
  }
  total = Math.min(total, s.hostSwapTotalKb);
  if (s.swappiness === 0) total = used;
  return { totalKb: total, usedKb: Math.min(used, total) };
}
