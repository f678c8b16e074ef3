import type { CpuVisibility } from './cpus';

/**
 * /sys/devices/system/cpu/online: lxcfs serves the cpuset text itself (physical ids), or
 * "0-(n-1)" in CPU view mode. Without a cpuset it is the host's file.
 */
export function renderCpuOnline(host: string, v: CpuVisibility): string {
  if (v.maxCpus !== null) return v.maxCpus > 1 ? `0-${v.maxCpus - 1}\n` : '0\n';
  if (v.cpusetText === null) return host;
  return `${v.cpusetText}\n`;
}
