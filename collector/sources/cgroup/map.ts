import type { BlkioStats, CpuStats, FileProblem, MemoryEvents, MemoryStatFields, MemoryStats, PidsStats } from '../../../core/cgroup';
import type { MetricSample } from '../../../core/event';
import { CONTAINER_METRIC as M } from '../../../core/naming';
import type { DiscoveredContainer } from '../../discovery/types';
import { addDevice, addInterface, addStartTime, type InterfaceCounters } from '../../scrape/common-samples';
import type { DeviceNamer } from '../../scrape/devices';
import { NS_PER_SEC, SampleBuilder } from '../../scrape/samples';

/**
 * The fields of core/cgroup's readings the samples are made of. Core's CpuStats, MemoryStats…
 * are such views; the scrape path fills its own reused ones (./controllers) without the rest.
 */
export type CpuView = Pick<CpuStats, 'usageNs' | 'userNs' | 'systemNs' | 'throttling' | 'quota' | 'shares' | 'weight' | 'problems'>;
export type MemoryView = Pick<MemoryStats, 'version' | 'usageBytes' | 'limitBytes' | 'swapUsageBytes' | 'swapLimitBytes' | 'memswLimitBytes' | 'failcnt' | 'problems'> & {
  readonly events: Pick<MemoryEvents, 'max' | 'oomKill'> | null;
  readonly stat: Pick<MemoryStatFields, 'rss' | 'cache' | 'swap' | 'inactiveFile'> | null;
};
export type BlkioView = Pick<BlkioStats, 'devices' | 'problems'>;
export type PidsView = PidsStats;

/** Everything one scrape read for one container; null where a controller was not read. */
export interface CgroupReadings {
  readonly cpu: CpuView | null;
  readonly memory: MemoryView | null;
  readonly blkio: BlkioView | null;
  readonly pids: PidsView | null;
  /** CPUs in the effective cpuset (read once per container run). */
  readonly cpusetCpus: number | null;
  readonly network: ReadonlyMap<string, InterfaceCounters> | null;
}

/**
 * cAdvisor's working set: usage minus the inactive page cache the kernel may reclaim at will
 * (v1 `total_inactive_file`, v2 `inactive_file`), never below zero.
 */
export function workingSet(mem: MemoryView): number | undefined {
  if (mem.usageBytes === null) return undefined;
  const inactive = mem.stat?.inactiveFile ?? 0;
  return inactive < mem.usageBytes ? mem.usageBytes - inactive : 0;
}

/** cgroup v2 cpu.weight → v1 shares, the kernel's own mapping, so dashboards see one scale. */
export function weightToShares(weight: number): number {
  return Math.round(2 + ((weight - 1) * 262142) / 9999);
}

/** Pure: readings → samples. `deviceName` turns `major:minor` into `/dev/<name>`. */
export function mapCgroupReadings(
  r: CgroupReadings,
  container: DiscoveredContainer,
  deviceName: DeviceNamer,
): MetricSample[] {
  const b = new SampleBuilder();
  if (!container.identity.isSandbox) {
    if (r.cpu) addCpu(b, r.cpu);
    if (r.memory) addMemory(b, r.memory);
    for (const d of r.blkio?.devices ?? []) addDevice(b, deviceName(`${d.major}:${d.minor}`), d);
    if (r.pids) {
      b.gauge(M.processes, r.pids.current ?? undefined);
      if (r.pids.max !== null) b.gauge(M.processesLimit, r.pids.max);
    }
    if (r.cpusetCpus !== null) b.gauge(M.specCpusetCpus, r.cpusetCpus);
  }
  if (container.network === 'own' && r.network) {
    for (const [name, counters] of r.network) addInterface(b, name, counters);
  }
  addStartTime(b, container.startedAtMs);
  return b.samples;
}

function addCpu(b: SampleBuilder, cpu: CpuView): void {
  b.counter(M.cpuUsageSeconds, ns(cpu.usageNs))
    .counter(M.cpuUserSeconds, ns(cpu.userNs))
    .counter(M.cpuSystemSeconds, ns(cpu.systemNs));
  if (cpu.throttling) {
    b.counter(M.cpuCfsPeriods, cpu.throttling.periods)
      .counter(M.cpuCfsThrottledPeriods, cpu.throttling.throttledPeriods)
      .counter(M.cpuCfsThrottledSeconds, cpu.throttling.throttledNs / NS_PER_SEC);
  }
  if (cpu.quota.quotaUs !== null) b.gauge(M.specCpuQuota, cpu.quota.quotaUs);
  if (cpu.quota.periodUs !== null) b.gauge(M.specCpuPeriod, cpu.quota.periodUs);
  const shares = cpu.shares ?? (cpu.weight === null ? null : weightToShares(cpu.weight));
  if (shares !== null) b.gauge(M.specCpuShares, shares);
}

function addMemory(b: SampleBuilder, mem: MemoryView): void {
  b.gauge(M.memoryUsageBytes, mem.usageBytes ?? undefined)
    .gauge(M.memoryWorkingSetBytes, workingSet(mem))
    .gauge(M.memoryRssBytes, mem.stat?.rss)
    .gauge(M.memoryCacheBytes, mem.stat?.cache)
    .gauge(M.memorySwapBytes, (mem.version === 1 ? mem.stat?.swap : mem.swapUsageBytes) ?? undefined)
    // v2 has no failcnt; memory.events `max` counts the same thing (usage hit the limit).
    .counter(M.memoryFailcnt, (mem.version === 1 ? mem.failcnt : mem.events?.max) ?? undefined)
    .counter(M.oomEvents, mem.events?.oomKill ?? undefined)
    .gauge(M.specMemoryLimitBytes, mem.limitBytes ?? 0);
  const memSwap = memorySwapLimit(mem);
  if (memSwap !== null) b.gauge(M.specMemorySwapLimitBytes, memSwap);
}

/** Memory + swap, cAdvisor's meaning of the swap limit: v1 memsw as is, v2 memory.max + swap.max. */
export function memorySwapLimit(mem: MemoryView): number | null {
  if (mem.version === 1) return mem.memswLimitBytes;
  return mem.limitBytes !== null && mem.swapLimitBytes !== null ? mem.limitBytes + mem.swapLimitBytes : null;
}

function ns(v: number | null): number | undefined {
  return v === null ? undefined : v / NS_PER_SEC;
}

/** Problems that mean "the container is gone", not "something is wrong". */
export function isGoneProblem(p: FileProblem): boolean {
  return p.reason === 'missing' || p.reason === 'gone';
}
