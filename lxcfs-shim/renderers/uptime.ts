export interface UptimeInput {
  /** Seconds since the reader's init process (the container's pid 1) started. */
  readonly ageSec: number;
  /** CPU seconds the init's cgroup has used (cpuacct.usage / cpu.stat usage_usec). */
  readonly busySec: number;
}

/**
 * lxcfs's uptime: the container's age, and as idle time the age minus the CPU time its cgroup
 * used (not multiplied by CPUs, as lxcfs does; a known approximation).
 */
export function renderUptime(u: UptimeInput): string {
  const idle = u.ageSec >= u.busySec ? u.ageSec - u.busySec : u.ageSec;
  return `${u.ageSec.toFixed(2)} ${idle.toFixed(2)}\n`;
}
