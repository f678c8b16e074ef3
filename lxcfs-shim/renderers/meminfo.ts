import type { MemoryStatFields } from '../../core/cgroup';
import { hostMeminfoField, kb, kbLine, linesOf } from './format';
import type { SwapInput } from './swap';
import { swapFigures } from './swap';

export interface MeminfoInput {
  readonly version: 1 | 2;
  /** Smallest memory limit over the cgroup and its ancestors, bytes; null = none. */
  readonly limitBytes: number | null;
  readonly usageBytes: number;
  readonly stat: MemoryStatFields;
  /** Swap inputs except the values this renderer derives itself (memory limit and usage). */
  readonly swap: Omit<SwapInput, 'memLimitKb' | 'memUsageKb' | 'hostSwapTotalKb' | 'version'> | null;
}

type Field = (v: Derived) => number;

interface Derived {
  readonly totalKb: number;
  readonly freeKb: number;
  readonly s: MemoryStatFields;
  readonly swapTotalKb: number;
  readonly swapFreeKb: number;
  readonly v2: boolean;
}

/**
 * Lines lxcfs rewrites, in lxcfs 5.0.3's formulas except where noted in README.md (v2 Mapped,
 * Dirty, Writeback, AnonHugePages and Slab, and MemAvailable). Any other line passes through.
 */
const FIELDS: ReadonlyMap<string, Field> = new Map<string, Field>([
  ['MemTotal', (d) => d.totalKb],
  ['MemFree', (d) => d.freeKb],
  // lxcfs adds all page cache; shmem/tmpfs pages are in the cache but cannot be dropped.
  ['MemAvailable', (d) => Math.min(d.totalKb, d.freeKb + kb(Math.max(0, d.s.cache - d.s.shmem)))],
  ['Buffers', () => 0],
  ['Cached', (d) => kb(d.s.cache)],
  ['SwapCached', () => 0],
  ['Active', (d) => kb(d.s.activeAnon + d.s.activeFile)],
  ['Inactive', (d) => kb(d.s.inactiveAnon + d.s.inactiveFile)],
  ['Active(anon)', (d) => kb(d.s.activeAnon)],
  ['Inactive(anon)', (d) => kb(d.s.inactiveAnon)],
  ['Active(file)', (d) => kb(d.s.activeFile)],
  ['Inactive(file)', (d) => kb(d.s.inactiveFile)],
  ['Unevictable', (d) => kb(d.s.unevictable)],
  ['SwapTotal', (d) => d.swapTotalKb],
  ['SwapFree', (d) => d.swapFreeKb],
  ['Dirty', (d) => kb(d.s.dirty)],
  ['Writeback', (d) => kb(d.s.writeback)],
  ['AnonPages', (d) => kb(Math.max(0, d.s.activeAnon + d.s.inactiveAnon - d.s.shmem))],
  ['Mapped', (d) => kb(d.s.mappedFile)],
  ['Slab', (d) => (d.v2 ? kb((d.s.slabReclaimable ?? 0) + (d.s.slabUnreclaimable ?? 0)) : 0)],
  ['SReclaimable', (d) => (d.v2 ? kb(d.s.slabReclaimable ?? 0) : 0)],
  ['SUnreclaim', (d) => (d.v2 ? kb(d.s.slabUnreclaimable ?? 0) : 0)],
  ['Shmem', (d) => kb(d.s.shmem)],
  ['ShmemHugePages', () => 0],
  ['ShmemPmdMapped', () => 0],
  ['AnonHugePages', (d) => kb(d.s.rssHuge)],
]);

/** Renders /proc/meminfo for a cgroup from the host's text and the cgroup's memory values. */
export function renderMeminfo(host: string, m: MeminfoInput): string {
  const hostTotal = hostMeminfoField(host, 'MemTotal');
  const limitKb = m.limitBytes === null ? hostTotal : kb(m.limitBytes);
  const totalKb = limitKb === 0 ? hostTotal : Math.min(limitKb, hostTotal);
  const usageKb = kb(m.usageBytes);
  const swap = m.swap === null
    ? { totalKb: 0, usedKb: 0 }
    : swapFigures({ ...m.swap, version: m.version, memLimitKb: totalKb, memUsageKb: usageKb, hostSwapTotalKb: hostMeminfoField(host, 'SwapTotal') });
  const d: Derived = {
    totalKb,
    freeKb: Math.max(0, totalKb - usageKb),
    s: m.stat,
    swapTotalKb: swap.totalKb,
    swapFreeKb: Math.max(0, swap.totalKb - swap.usedKb),
    v2: m.version === 2,
  };
  let out = '';
  for (const line of linesOf(host)) {
    const colon = line.indexOf(':');
    const field = colon > 0 ? FIELDS.get(line.slice(0, colon)) : undefined;
    out += field === undefined ? line : kbLine(`${line.slice(0, colon)}:`, field(d));
  }
  return out;
}

