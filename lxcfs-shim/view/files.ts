/** The files the shim serves: their path inside the mount and the host file they stand in for. */
export type ShimFile = 'meminfo' | 'cpuinfo' | 'stat' | 'uptime' | 'loadavg' | 'diskstats' | 'swaps' | 'online';

export interface ShimFileSpec {
  readonly file: ShimFile;
  /** Path inside the mount and, identically, the path it is bind-mounted over in a container. */
  readonly path: string;
}

export const SHIM_FILES: readonly ShimFileSpec[] = [
  { file: 'meminfo', path: '/proc/meminfo' },
  { file: 'cpuinfo', path: '/proc/cpuinfo' },
  { file: 'stat', path: '/proc/stat' },
  { file: 'uptime', path: '/proc/uptime' },
  { file: 'loadavg', path: '/proc/loadavg' },
  { file: 'diskstats', path: '/proc/diskstats' },
  { file: 'swaps', path: '/proc/swaps' },
  { file: 'online', path: '/sys/devices/system/cpu/online' },
];

export interface ShimOptions {
  /** Report swap from the cgroup's swap limits (lxcfs default; lxcfs -u turns it off). */
  readonly swap: boolean;
  /** Limit cpuinfo/stat/online to ceil(quota/period) CPUs (lxcfs --enable-cfs). */
  readonly cpuView: boolean;
  /** Per-cgroup load average (lxcfs -l); off serves the host's loadavg. */
  readonly loadavg: boolean;
}

export const DEFAULT_SHIM_OPTIONS: ShimOptions = { swap: true, cpuView: false, loadavg: true };
