import { CONTAINER_LABEL, CONTAINER_METRIC as M } from '../../core/naming';
import type { ContainerSpecLimits } from '../discovery/types';
import { oneLabel, type SampleBuilder } from './samples';

/** Per-interface counters, whatever the source (Docker stats, cAdvisor, /proc/<pid>/net/dev). */
export interface InterfaceCounters {
  readonly rxBytes: number;
  readonly rxPackets: number;
  readonly rxErrors: number;
  readonly rxDropped: number;
  readonly txBytes: number;
  readonly txPackets: number;
  readonly txErrors: number;
  readonly txDropped: number;
}

export function addInterface(b: SampleBuilder, name: string, c: InterfaceCounters): void {
  const l = oneLabel(CONTAINER_LABEL.interface, name);
  b.counter(M.networkReceiveBytes, c.rxBytes, l)
    .counter(M.networkReceivePackets, c.rxPackets, l)
    .counter(M.networkReceiveErrors, c.rxErrors, l)
    .counter(M.networkReceiveDropped, c.rxDropped, l)
    .counter(M.networkTransmitBytes, c.txBytes, l)
    .counter(M.networkTransmitPackets, c.txPackets, l)
    .counter(M.networkTransmitErrors, c.txErrors, l)
    .counter(M.networkTransmitDropped, c.txDropped, l);
}

/** Per-device block I/O counters; `device` is `/dev/<name>` when known, else `major:minor`. */
export interface DeviceCounters {
  readonly readBytes: number;
  readonly writeBytes: number;
  readonly readOps: number;
  readonly writeOps: number;
}

export function addDevice(b: SampleBuilder, device: string, c: DeviceCounters): void {
  const l = oneLabel(CONTAINER_LABEL.device, device);
  b.counter(M.fsReadsBytes, c.readBytes, l)
    .counter(M.fsWritesBytes, c.writeBytes, l)
    .counter(M.fsReads, c.readOps, l)
    .counter(M.fsWrites, c.writeOps, l);
}

/**
 * Spec gauges follow cAdvisor's conventions so dashboards agree across sources: an unlimited
 * memory limit is 0, and a missing quota is omitted (cAdvisor only exports it when set).
 */
export function addSpec(b: SampleBuilder, spec: ContainerSpecLimits): void {
  b.gauge(M.specMemoryLimitBytes, spec.memoryLimitBytes ?? 0);
  if (spec.memorySwapLimitBytes !== null) b.gauge(M.specMemorySwapLimitBytes, spec.memorySwapLimitBytes);
  if (spec.cpuQuotaUs !== null) b.gauge(M.specCpuQuota, spec.cpuQuotaUs);
  if (spec.cpuPeriodUs !== null) b.gauge(M.specCpuPeriod, spec.cpuPeriodUs);
  if (spec.cpuShares !== null) b.gauge(M.specCpuShares, spec.cpuShares);
  if (spec.cpusetCpus !== null) b.gauge(M.specCpusetCpus, spec.cpusetCpus);
  if (spec.pidsLimit !== null) b.gauge(M.processesLimit, spec.pidsLimit);
}

export function addStartTime(b: SampleBuilder, startedAtMs: number): void {
  if (startedAtMs > 0) b.gauge(M.startTimeSeconds, startedAtMs / 1000);
}
