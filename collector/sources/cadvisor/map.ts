import type { MetricSample } from '../../../core/event';
import { parseCpuList } from '../../../core/cgroup/parse';
import { CONTAINER_METRIC as M } from '../../../core/naming';
import type { ContainerSpecLimits, DiscoveredContainer } from '../../discovery/types';
import { buildIdentity } from '../../discovery/identity';
import { addDevice, addInterface, addSpec, addStartTime, type DeviceCounters } from '../../scrape/common-samples';
import type { DeviceNamer } from '../../scrape/devices';
import { NS_PER_SEC, SampleBuilder } from '../../scrape/samples';
import type { CadvisorContainerInfo, CadvisorPerDisk, CadvisorSpec, CadvisorStats } from './api-types';

const DOCKER_ID = /([0-9a-f]{64})/;
/** cAdvisor passes the kernel's "unlimited" through as a huge number (2^64-1 or PAGE_COUNTER_MAX). */
const UNLIMITED = 2 ** 62;

/** The Docker id of a cAdvisor entry: its `id`, else the 64-hex part of its cgroup name. */
export function dockerIdOf(info: CadvisorContainerInfo): string {
  if (info.id && DOCKER_ID.test(info.id)) return info.id;
  return DOCKER_ID.exec(info.name)?.[1] ?? info.name;
}

/** Go writes RFC 3339 with nanoseconds; JavaScript's Date only needs milliseconds. */
export function parseGoTime(text: string | undefined): number {
  if (!text) return 0;
  const ms = Date.parse(text.replace(/(\.\d{3})\d+/, '$1'));
  return Number.isFinite(ms) && ms > 0 ? ms : 0;
}

function limitOrNull(v: number | undefined): number | null {
  return v === undefined || v === 0 || v >= UNLIMITED ? null : v;
}

export function specFromCadvisor(spec: CadvisorSpec | undefined): ContainerSpecLimits {
  const mask = spec?.cpu?.mask;
  const cpus = mask ? parseCpuList(mask) : undefined;
  return {
    memoryLimitBytes: limitOrNull(spec?.memory?.limit),
    memorySwapLimitBytes: limitOrNull(spec?.memory?.swap_limit),
    cpuQuotaUs: spec?.cpu?.quota ? spec.cpu.quota : null,
    cpuPeriodUs: spec?.cpu?.period ? spec.cpu.period : null,
    cpuShares: spec?.cpu?.limit ?? null,
    cpusetCpus: cpus && cpus.length > 0 ? cpus.length : null,
    pidsLimit: limitOrNull(spec?.processes?.limit),
  };
}

/**
 * A container described only by cAdvisor (no Docker socket needed): cAdvisor already carries the
 * Docker name, image and labels, so identity rules are the same as discovery's.
 */
export function containerFromCadvisor(
  info: CadvisorContainerInfo,
  node: string,
  filter: (labels: Readonly<Record<string, string>>) => Record<string, string>,
): DiscoveredContainer {
  const id = dockerIdOf(info);
  const name = info.aliases?.find((a) => a !== id) ?? id.slice(0, 12);
  const identity = buildIdentity({ node, id, name, image: info.spec?.image ?? '', labels: info.spec?.labels ?? {} }, filter);
  return {
    identity,
    pid: 0,
    startedAtMs: parseGoTime(info.spec?.creation_time),
    network: info.spec?.has_network === false ? 'shared' : 'own',
    spec: specFromCadvisor(info.spec),
  };
}

/** The newest stats entry: cAdvisor returns them oldest first. */
export function latestStats(info: CadvisorContainerInfo): CadvisorStats | undefined {
  const s = info.stats;
  return s && s.length > 0 ? s[s.length - 1] : undefined;
}

/** Pure: one cAdvisor entry's newest stats → samples, named and shaped like the other sources. */
export function mapCadvisorStats(stats: CadvisorStats, container: DiscoveredContainer, deviceName: DeviceNamer): MetricSample[] {
  const b = new SampleBuilder();
  if (!container.identity.isSandbox) {
    const cpu = stats.cpu;
    b.counter(M.cpuUsageSeconds, nsToSec(cpu?.usage?.total))
      .counter(M.cpuUserSeconds, nsToSec(cpu?.usage?.user))
      .counter(M.cpuSystemSeconds, nsToSec(cpu?.usage?.system))
      .counter(M.cpuCfsPeriods, cpu?.cfs?.periods)
      .counter(M.cpuCfsThrottledPeriods, cpu?.cfs?.throttled_periods)
      .counter(M.cpuCfsThrottledSeconds, nsToSec(cpu?.cfs?.throttled_time));
    const mem = stats.memory;
    b.gauge(M.memoryUsageBytes, mem?.usage)
      .gauge(M.memoryWorkingSetBytes, mem?.working_set)
      .gauge(M.memoryRssBytes, mem?.rss)
      .gauge(M.memoryCacheBytes, mem?.cache)
      .gauge(M.memorySwapBytes, mem?.swap)
      .counter(M.memoryFailcnt, mem?.failcnt)
      .counter(M.oomEvents, stats.oom_events ?? 0)
      .gauge(M.processes, stats.processes?.process_count);
    for (const [device, c] of diskByDevice(stats.diskio?.io_service_bytes, stats.diskio?.io_serviced, deviceName)) addDevice(b, device, c);
    if (container.spec) addSpec(b, container.spec);
  }
  if (container.network === 'own') {
    for (const i of stats.network?.interfaces ?? []) {
      addInterface(b, i.name, {
        rxBytes: i.rx_bytes ?? 0, rxPackets: i.rx_packets ?? 0, rxErrors: i.rx_errors ?? 0, rxDropped: i.rx_dropped ?? 0,
        txBytes: i.tx_bytes ?? 0, txPackets: i.tx_packets ?? 0, txErrors: i.tx_errors ?? 0, txDropped: i.tx_dropped ?? 0,
      });
    }
  }
  addStartTime(b, container.startedAtMs);
  return b.samples;
}

/**
 * Devices are named from our own table first, as the other sources name them; cAdvisor's name
 * (`/dev/sda`, when it has one) only for a device our table does not know, else `major:minor`.
 */
export function diskByDevice(
  bytes: readonly CadvisorPerDisk[] | undefined,
  ops: readonly CadvisorPerDisk[] | undefined,
  deviceName: DeviceNamer,
): Map<string, DeviceCounters> {
  const out = new Map<string, { readBytes: number; writeBytes: number; readOps: number; writeOps: number }>();
  const entry = (d: CadvisorPerDisk): { readBytes: number; writeBytes: number; readOps: number; writeOps: number } => {
    const numbers = `${d.major}:${d.minor}`;
    const named = deviceName(numbers);
    const key = named !== numbers ? named : d.device || numbers;
    let dev = out.get(key);
    if (!dev) out.set(key, (dev = { readBytes: 0, writeBytes: 0, readOps: 0, writeOps: 0 }));
    return dev;
  };
  for (const d of bytes ?? []) {
    const e = entry(d);
    e.readBytes += d.stats?.['Read'] ?? 0;
    e.writeBytes += d.stats?.['Write'] ?? 0;
  }
  for (const d of ops ?? []) {
    const e = entry(d);
    e.readOps += d.stats?.['Read'] ?? 0;
    e.writeOps += d.stats?.['Write'] ?? 0;
  }
  return out;
}

function nsToSec(ns: number | undefined): number | undefined {
  return ns === undefined ? undefined : ns / NS_PER_SEC;
}
