import type { MetricSample } from '../../../core/event';
import { CONTAINER_METRIC as M } from '../../../core/naming';
import type { DiscoveredContainer } from '../../discovery/types';
import { addDevice, addInterface, addSpec, addStartTime, type DeviceCounters } from '../../scrape/common-samples';
import type { DeviceNamer } from '../../scrape/devices';
import { NS_PER_SEC, SampleBuilder } from '../../scrape/samples';
import { cpuPercent, cpuReading, isCgroupV1Memory, memoryUsageNoCache, type CpuReading } from './math';
import type { DockerBlkioEntry, DockerStatsJson } from './stats-json';

export interface MappedStats {
  readonly samples: MetricSample[];
  /** Kept by the source for the next scrape's CPU %. */
  readonly cpu: CpuReading | undefined;
}

/**
 * One container's stats body → samples. Pure. `previousCpu` is our own last reading: a one-shot
 * stats call has an empty `precpu_stats`, and our interval is the one the figure should cover.
 */
export function mapDockerStats(
  stats: DockerStatsJson,
  container: DiscoveredContainer,
  previousCpu: CpuReading | undefined,
  deviceName: DeviceNamer,
): MappedStats {
  const b = new SampleBuilder();
  const cpu = cpuReading(stats.cpu_stats);
  if (!container.identity.isSandbox) {
    addCpu(b, stats, cpu, previousCpu ?? cpuReading(stats.precpu_stats));
    addMemory(b, stats);
    addBlkio(b, stats, deviceName);
    b.gauge(M.processes, stats.pids_stats?.current);
    if (container.spec) addSpec(b, container.spec);
  }
  if (container.network === 'own') {
    for (const [name, n] of Object.entries(stats.networks ?? {})) {
      addInterface(b, name, {
        rxBytes: n.rx_bytes ?? 0, rxPackets: n.rx_packets ?? 0, rxErrors: n.rx_errors ?? 0, rxDropped: n.rx_dropped ?? 0,
        txBytes: n.tx_bytes ?? 0, txPackets: n.tx_packets ?? 0, txErrors: n.tx_errors ?? 0, txDropped: n.tx_dropped ?? 0,
      });
    }
  }
  addStartTime(b, container.startedAtMs);
  return { samples: b.samples, cpu };
}

function addCpu(b: SampleBuilder, stats: DockerStatsJson, cpu: CpuReading | undefined, previous: CpuReading | undefined): void {
  const usage = stats.cpu_stats?.cpu_usage;
  const thr = stats.cpu_stats?.throttling_data;
  b.counter(M.cpuUsageSeconds, nsToSec(usage?.total_usage))
    .counter(M.cpuUserSeconds, nsToSec(usage?.usage_in_usermode))
    .counter(M.cpuSystemSeconds, nsToSec(usage?.usage_in_kernelmode))
    .counter(M.cpuCfsPeriods, thr?.periods)
    .counter(M.cpuCfsThrottledPeriods, thr?.throttled_periods)
    .counter(M.cpuCfsThrottledSeconds, nsToSec(thr?.throttled_time));
  // A restart resets total_usage; cpuPercent then sees a negative delta and reports 0, like the CLI.
  if (cpu) b.gauge(M.cpuUsagePercent, cpuPercent(cpu, previous));
}

function addMemory(b: SampleBuilder, stats: DockerStatsJson): void {
  const mem = stats.memory_stats;
  const s = mem?.stats ?? {};
  const v1 = isCgroupV1Memory(mem);
  b.gauge(M.memoryUsageBytes, mem?.usage)
    .gauge(M.memoryWorkingSetBytes, memoryUsageNoCache(mem))
    .gauge(M.memoryRssBytes, v1 ? s['total_rss'] : s['anon'])
    .gauge(M.memoryCacheBytes, v1 ? s['total_cache'] : s['file'])
    .gauge(M.memorySwapBytes, v1 ? s['total_swap'] : undefined)
    .counter(M.memoryFailcnt, mem?.failcnt);
}

/** v1 reports Read/Write/Sync/Async/Total per device, v2 read/write: both fold to read + write. */
export function blkioByDevice(
  bytes: readonly DockerBlkioEntry[] | null | undefined,
  ops: readonly DockerBlkioEntry[] | null | undefined,
): Map<string, DeviceCounters> {
  const out = new Map<string, { readBytes: number; writeBytes: number; readOps: number; writeOps: number }>();
  const fold = (entries: readonly DockerBlkioEntry[] | null | undefined, kind: 'Bytes' | 'Ops'): void => {
    for (const e of entries ?? []) {
      const op = e.op.toLowerCase();
      if (op !== 'read' && op !== 'write') continue;
      const key = `${e.major}:${e.minor}`;
      let dev = out.get(key);
      if (!dev) out.set(key, (dev = { readBytes: 0, writeBytes: 0, readOps: 0, writeOps: 0 }));
      dev[`${op}${kind}`] += e.value;
    }
  };
  fold(bytes, 'Bytes');
  fold(ops, 'Ops');
  return out;
}

/** Docker reports devices by number only; they are named like the cgroup source's and cAdvisor's. */
function addBlkio(b: SampleBuilder, stats: DockerStatsJson, deviceName: DeviceNamer): void {
  const io = stats.blkio_stats;
  for (const [key, c] of blkioByDevice(io?.io_service_bytes_recursive, io?.io_serviced_recursive)) addDevice(b, deviceName(key), c);
}

function nsToSec(ns: number | undefined): number | undefined {
  return ns === undefined ? undefined : ns / NS_PER_SEC;
}
