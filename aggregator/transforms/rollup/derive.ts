import type { ContainerIdentity, ContainerMetrics } from '../../../core/event';
import { CONTAINER_METRIC as M } from '../../../core/naming';

/** Counter totals of one reading, summed over devices and interfaces. */
interface Counters {
  cpuSeconds: number;
  cfsPeriods: number;
  cfsThrottledPeriods: number;
  rxBytes: number;
  txBytes: number;
  fsReadBytes: number;
  fsWriteBytes: number;
}

interface Reading {
  readonly atMs: number;
  readonly startedAtMs: number;
  readonly counters: Counters;
}

/** What one container contributes to a roll-up window. Rates are undefined until two readings exist. */
export interface ContainerDerived {
  readonly container: ContainerIdentity;
  readonly atMs: number;
  readonly cpuCores?: number;
  readonly throttledPeriods?: number;
  readonly periods?: number;
  readonly rxBytesPerSecond?: number;
  readonly txBytesPerSecond?: number;
  readonly fsReadBytesPerSecond?: number;
  readonly fsWriteBytesPerSecond?: number;
  readonly cpuLimitCores?: number;
  readonly workingSetBytes?: number;
  readonly memoryLimitBytes?: number;
  /** 1 when this reading is the first of a new run of a container already seen. */
  readonly restarted: number;
}

const COUNTER_OF: Record<string, keyof Counters> = {
  [M.cpuUsageSeconds]: 'cpuSeconds',
  [M.cpuCfsPeriods]: 'cfsPeriods',
  [M.cpuCfsThrottledPeriods]: 'cfsThrottledPeriods',
  [M.networkReceiveBytes]: 'rxBytes',
  [M.networkTransmitBytes]: 'txBytes',
  [M.fsReadsBytes]: 'fsReadBytes',
  [M.fsWritesBytes]: 'fsWriteBytes',
};

/** A memory limit this large means "unlimited" (cgroup v1 reports PAGE_COUNTER_MAX pages). */
const UNLIMITED_BYTES = 2 ** 60;

/**
 * Turns successive readings of each container into rates. Counters stay counters until here; a
 * new start time, or a counter that went backwards, means the container restarted: that interval
 * yields no rate (never a negative one) and counts one restart.
 */
export class RateTracker {
  private readonly last = new Map<string, Reading>();

  get size(): number {
    return this.last.size;
  }

  derive(c: ContainerMetrics, atMs: number): ContainerDerived {
    const counters = emptyCounters();
    const gauges = { workingSet: NaN, memLimit: NaN, quota: NaN, period: NaN };
    for (const s of c.samples) {
      const counter = COUNTER_OF[s.name];
      if (counter) counters[counter] += s.value;
      else if (s.name === M.memoryWorkingSetBytes) gauges.workingSet = s.value;
      else if (s.name === M.specMemoryLimitBytes) gauges.memLimit = s.value;
      else if (s.name === M.specCpuQuota) gauges.quota = s.value;
      else if (s.name === M.specCpuPeriod) gauges.period = s.value;
    }
    const previous = this.last.get(c.container.id);
    // An older reading (a partition read again from its committed offset) must not become the
    // baseline of the next rate: the next reading would then span the wrong interval.
    if (!previous || previous.atMs < atMs) this.last.set(c.container.id, { atMs, startedAtMs: c.startedAtMs, counters });
    // Plain assignments rather than spreads: this runs once per container per scrape.
    const out: Mutable<ContainerDerived> = { container: c.container, atMs, restarted: previous && previous.startedAtMs !== c.startedAtMs ? 1 : 0 };
    if (Number.isFinite(gauges.workingSet)) out.workingSetBytes = gauges.workingSet;
    if (gauges.memLimit > 0 && gauges.memLimit < UNLIMITED_BYTES) out.memoryLimitBytes = gauges.memLimit;
    if (gauges.quota > 0 && gauges.period > 0) out.cpuLimitCores = gauges.quota / gauges.period;
    if (!previous || previous.startedAtMs !== c.startedAtMs || atMs <= previous.atMs) return out;
    const seconds = (atMs - previous.atMs) / 1000;
    const before = previous.counters;
    // A counter that went backwards without a new start time is a reset we did not see: no value.
    if (counters.cpuSeconds >= before.cpuSeconds) out.cpuCores = (counters.cpuSeconds - before.cpuSeconds) / seconds;
    if (counters.cfsThrottledPeriods >= before.cfsThrottledPeriods) out.throttledPeriods = counters.cfsThrottledPeriods - before.cfsThrottledPeriods;
    if (counters.cfsPeriods >= before.cfsPeriods) out.periods = counters.cfsPeriods - before.cfsPeriods;
    if (counters.rxBytes >= before.rxBytes) out.rxBytesPerSecond = (counters.rxBytes - before.rxBytes) / seconds;
    if (counters.txBytes >= before.txBytes) out.txBytesPerSecond = (counters.txBytes - before.txBytes) / seconds;
    if (counters.fsReadBytes >= before.fsReadBytes) out.fsReadBytesPerSecond = (counters.fsReadBytes - before.fsReadBytes) / seconds;
    if (counters.fsWriteBytes >= before.fsWriteBytes) out.fsWriteBytesPerSecond = (counters.fsWriteBytes - before.fsWriteBytes) / seconds;
    return out;
  }

  /** Forgets containers not seen since `cutoffMs`; returns their ids. */
  forgetBefore(cutoffMs: number): string[] {
    const gone: string[] = [];
    for (const [id, reading] of this.last) {
      if (reading.atMs < cutoffMs) {
        this.last.delete(id);
        gone.push(id);
      }
    }
    return gone;
  }
}

function emptyCounters(): Counters {
  return { cpuSeconds: 0, cfsPeriods: 0, cfsThrottledPeriods: 0, rxBytes: 0, txBytes: 0, fsReadBytes: 0, fsWriteBytes: 0 };
}

type Mutable<T> = { -readonly [K in keyof T]: T[K] };
