import { parseCpuList } from '../../core/cgroup/parse';
import { buildIdentity } from './identity';
import type { ContainerSpecLimits, DiscoveredContainer, NetworkOwnership } from './types';

/** The fields of `GET /containers/{id}/json` discovery reads (a subset of dockerode's type). */
export interface DockerInspect {
  readonly Id: string;
  readonly Name: string;
  readonly Config?: { readonly Image?: string; readonly Labels?: Readonly<Record<string, string>> | null };
  readonly State?: { readonly Running?: boolean; readonly Pid?: number; readonly StartedAt?: string };
  readonly HostConfig?: {
    readonly NetworkMode?: string;
    readonly Memory?: number;
    readonly MemorySwap?: number;
    readonly NanoCpus?: number;
    readonly CpuQuota?: number;
    readonly CpuPeriod?: number;
    readonly CpuShares?: number;
    readonly CpusetCpus?: string;
    readonly PidsLimit?: number | null;
  };
}

/** The kernel's default CFS period; Docker uses it when `--cpus` is given without `--cpu-period`. */
const DEFAULT_CFS_PERIOD_US = 100_000;

export function networkOwnership(mode: string | undefined): NetworkOwnership {
  if (!mode) return 'own';
  if (mode === 'host') return 'host';
  if (mode === 'none') return 'none';
  if (mode.startsWith('container:')) return 'shared';
  return 'own';
}

/**
 * Docker's HostConfig → the limits the kernel enforces. `--cpus N` is stored as NanoCpus and
 * applied as quota = N × period, so that is what we report, like cAdvisor reading cpu.cfs_quota_us.
 */
export function specFromHostConfig(h: DockerInspect['HostConfig']): ContainerSpecLimits {
  const period = h?.CpuPeriod || DEFAULT_CFS_PERIOD_US;
  let quota: number | null = null;
  if (h?.NanoCpus) quota = Math.round((h.NanoCpus * period) / 1e9);
  else if (h?.CpuQuota && h.CpuQuota > 0) quota = h.CpuQuota;
  const memory = h?.Memory ? h.Memory : null;
  // MemorySwap is memory+swap, like v1's memsw limit; -1 means unlimited swap.
  const memSwap = h?.MemorySwap;
  const swap = memSwap !== undefined && memSwap > 0 ? memSwap : null;
  const cpus = h?.CpusetCpus ? parseCpuList(h.CpusetCpus) : undefined;
  return {
    memoryLimitBytes: memory,
    memorySwapLimitBytes: swap,
    cpuQuotaUs: quota,
    cpuPeriodUs: period,
    cpuShares: h?.CpuShares ? h.CpuShares : null,
    cpusetCpus: cpus && cpus.length > 0 ? cpus.length : null,
    pidsLimit: h?.PidsLimit && h.PidsLimit > 0 ? h.PidsLimit : null,
  };
}

/** Parses Docker's RFC 3339 nanosecond timestamps; the zero time (`0001-…`) becomes 0. */
export function parseDockerTime(text: string | undefined): number {
  if (!text || text.startsWith('0001-')) return 0;
  const ms = Date.parse(text.replace(/(\.\d{3})\d+/, '$1'));
  return Number.isFinite(ms) ? ms : 0;
}

/** Pure: an inspect body → what sources see, or undefined when the container is not running. */
export function fromInspect(
  inspect: DockerInspect,
  node: string,
  filter: (labels: Readonly<Record<string, string>>) => Record<string, string>,
): DiscoveredContainer | undefined {
  if (!inspect.State?.Running) return undefined;
  const identity = buildIdentity(
    { node, id: inspect.Id, name: inspect.Name, image: inspect.Config?.Image ?? '', labels: inspect.Config?.Labels ?? {} },
    filter,
  );
  return {
    identity,
    pid: inspect.State.Pid ?? 0,
    startedAtMs: parseDockerTime(inspect.State.StartedAt),
    network: networkOwnership(inspect.HostConfig?.NetworkMode),
    spec: specFromHostConfig(inspect.HostConfig),
  };
}
