import type { BlkioStats, CgroupFs, CgroupLocation, ControllerDir, CpuStats, CpusetReading, FileProblem } from '../../core/cgroup';
import { effectiveMemoryLimit, isRootCgroup, parseCpuList, readBlkio } from '../../core/cgroup';
import type { CpuVisibility } from '../renderers/cpus';
import { cpusFromQuota } from '../renderers/cpus';
import { hostMeminfoField, kb } from '../renderers/format';
import type { MeminfoInput } from '../renderers/meminfo';
import type { StatUsage } from '../renderers/stat';
import type { SwapFigures } from '../renderers/swap';
import { swapFigures } from '../renderers/swap';
import type { ShimOptions } from './files';
import type { MemoryView } from './reads';
import type { ReadNow } from './reads';
import {
  readCpuTimesForView, readCpuTimesForViewNow, readCpusetForView, readCpusetForViewNow, readMemoryForView, readMemoryForViewNow,
  readQuotaForView, readQuotaForViewNow, readUsageForView,
} from './reads';

/**
 * I/O half of the renderers: collects the cgroup values one file needs, and only those (reads.ts).
 * With the shim's CachedFdFs these reads are synchronous, so the order costs nothing. `null` means "serve the host file" (root cgroup, or accounting unavailable), which
 * is what lxcfs does in the same situations.
 */
export interface GatherContext {
  readonly fs: CgroupFs;
  readonly options: ShimOptions;
}

function usable(cg: ControllerDir | undefined): cg is ControllerDir {
  return cg !== undefined && !isRootCgroup(cg);
}

export async function gatherMemory(ctx: GatherContext, loc: CgroupLocation): Promise<MeminfoInput | null> {
  const cg = loc.dirs.get('memory');
  if (!usable(cg)) return null;
  const m = await readMemoryForView(ctx.fs, cg, ctx.options.swap);
  if (cg.version === 1) {
    // v1 memory.stat already carries the minimum over the ancestors (hierarchical_*_limit),
    // which saves reading every ancestor's limit files on each request.
    const memLimit = m.hierarchicalMemoryLimit;
    const swLimit = m.hierarchicalMemswLimit;
    if (memLimit !== undefined && (swLimit !== undefined || !ctx.options.swap)) {
      return toInput(cg.version, m, memLimit, ctx.options.swap ? swLimit : undefined);
    }
  }
  const [limit, swapLimit] = await Promise.all([
    effectiveMemoryLimit(ctx.fs, cg, 'memory'),
    ctx.options.swap ? effectiveMemoryLimit(ctx.fs, cg, 'swap') : Promise.resolve(null),
  ]);
  return toInput(cg.version, m, limit.bytes, swapLimit?.bytes);
}

/**
 * gatherMemory without waiting, for the case that needs no more than the cgroup's own files
 * (v1, whose memory.stat carries the hierarchical limits). undefined: use gatherMemory.
 */
export function gatherMemoryNow(ctx: GatherContext, now: ReadNow, loc: CgroupLocation): MeminfoInput | null | undefined {
  const cg = loc.dirs.get('memory');
  if (!usable(cg)) return null;
  if (cg.version !== 1) return undefined;
  const m = readMemoryForViewNow(now, cg, ctx.options.swap);
  if (m === undefined) return undefined;
  const memLimit = m.hierarchicalMemoryLimit;
  const swLimit = m.hierarchicalMemswLimit;
  if (memLimit === undefined || (swLimit === undefined && ctx.options.swap)) return undefined;
  return toInput(cg.version, m, memLimit, ctx.options.swap ? swLimit : undefined);
}

function toInput(version: 1 | 2, m: MemoryView, limit: number | null, swapLimit: number | null | undefined): MeminfoInput | null {
  if (m.usageBytes === null || m.stat === null) return null;
  return { version, limitBytes: limit, usageBytes: m.usageBytes, stat: m.stat, swap: swapInput(m, swapLimit) };
}

function swapInput(m: MemoryView, limitBytes: number | null | undefined): MeminfoInput['swap'] {
  const usage = m.version === 1 ? m.memswUsageBytes : m.swapUsageBytes;
  if (limitBytes === undefined || usage === null) return null;
  return { accounted: true, limitKb: limitBytes === null ? null : kb(limitBytes), usageKb: kb(usage), swappiness: m.swappiness };
}

/** Swap figures for /proc/swaps, computed exactly as meminfo's SwapTotal/SwapFree. */
export function swapsFromMemory(hostMeminfo: string, m: MeminfoInput): SwapFigures {
  if (m.swap === null) return { totalKb: 0, usedKb: 0 };
  const hostTotal = hostMeminfoField(hostMeminfo, 'MemTotal');
  const limitKb = m.limitBytes === null ? hostTotal : Math.min(kb(m.limitBytes), hostTotal);
  return swapFigures({
    ...m.swap, version: m.version, memLimitKb: limitKb, memUsageKb: kb(m.usageBytes),
    hostSwapTotalKb: hostMeminfoField(hostMeminfo, 'SwapTotal'),
  });
}

/** null when the cgroup is the cpuset root (every CPU visible and no quota view wanted). */
export async function gatherVisibility(ctx: GatherContext, loc: CgroupLocation, hostOnline: string): Promise<CpuVisibility | null> {
  const cg = loc.dirs.get('cpuset');
  const wantView = ctx.options.cpuView;
  if (!usable(cg) && !wantView) return null;
  const [cpuset, cpu] = await Promise.all([
    usable(cg) ? readCpusetForView(ctx.fs, cg) : Promise.resolve(null),
    wantView ? readQuotaForView(ctx.fs, loc) : Promise.resolve(null),
  ]);
  return visibility(cpuset, cpu, hostOnline);
}

/** gatherVisibility without waiting; undefined when a file would wait (use gatherVisibility). */
export function gatherVisibilityNow(ctx: GatherContext, now: ReadNow, loc: CgroupLocation, hostOnline: string): CpuVisibility | null | undefined {
  const cg = loc.dirs.get('cpuset');
  const wantView = ctx.options.cpuView;
  if (!usable(cg) && !wantView) return null;
  const cpuset = usable(cg) ? readCpusetForViewNow(now, cg) : null;
  const cpu = wantView ? readQuotaForViewNow(now, loc) : null;
  if (cpuset === undefined || cpu === undefined) return undefined;
  return visibility(cpuset, cpu, hostOnline);
}

/** Pure: both gather paths decide the visible CPUs here, so they cannot drift apart. */
function visibility(cpuset: CpusetReading | null, cpu: CpuStats | FileProblem | null, hostOnline: string): CpuVisibility | null {
  const view = cpuset?.view ?? null;
  let maxCpus: number | null = null;
  if (cpu !== null && 'quota' in cpu) {
    const hostCpus = parseCpuList(hostOnline)?.length ?? 1;
    maxCpus = cpusFromQuota(cpu.quota.quotaUs, cpu.quota.periodUs, hostCpus, view?.cpus.length ?? hostCpus);
  }
  if (view === null && maxCpus === null) return null;
  return { cpuset: view?.cpus ?? null, cpusetText: view?.text ?? null, maxCpus };
}

export async function gatherStatUsage(ctx: GatherContext, loc: CgroupLocation): Promise<StatUsage> {
  const acct = loc.dirs.get('cpuacct') ?? loc.dirs.get('cpu');
  if (!usable(acct)) return { kind: 'host' };
  return statUsage(await readCpuTimesForView(ctx.fs, loc));
}

/** gatherStatUsage without waiting; undefined when a file would wait (use gatherStatUsage). */
export function gatherStatUsageNow(now: ReadNow, loc: CgroupLocation): StatUsage | undefined {
  const acct = loc.dirs.get('cpuacct') ?? loc.dirs.get('cpu');
  if (!usable(acct)) return { kind: 'host' };
  const cpu = readCpuTimesForViewNow(now, loc);
  return cpu === undefined ? undefined : statUsage(cpu);
}

function statUsage(cpu: CpuStats | FileProblem): StatUsage {
  if (!('quota' in cpu)) return { kind: 'host' };
  if (cpu.perCpu !== null) return { kind: 'percpu', perCpuNs: cpu.perCpu };
  if (cpu.userNs !== null && cpu.systemNs !== null) return { kind: 'total', userNs: cpu.userNs, systemNs: cpu.systemNs };
  return { kind: 'host' };
}

/** CPU seconds used by the cgroup (for uptime's idle column); 0 when unknown, as in lxcfs. */
export async function gatherBusySeconds(ctx: GatherContext, loc: CgroupLocation): Promise<number> {
  const cpu = await readUsageForView(ctx.fs, loc);
  return 'quota' in cpu && cpu.usageNs !== null ? cpu.usageNs / 1e9 : 0;
}

export async function gatherDevices(ctx: GatherContext, loc: CgroupLocation): Promise<BlkioStats | null> {
  const cg = loc.dirs.get('blkio');
  if (!usable(cg)) return null;
  const b = await readBlkio(ctx.fs, cg);
  return b.source === null ? null : b;
}
