import type { MemoryStatFields } from '../../core/cgroup';
import { hostMeminfoField, kb } from './format';
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

/** One line of the host's layout: its "Label:" and, if the shim rewrites it, the padded label and formula. */
interface LineKind {
  readonly labelColon: string;
  readonly padded: string | undefined;
  readonly field: Field | undefined;
}

/**
 * The host's meminfo lines in order, learnt from the texts rendered so far. A kernel prints the
 * same labels in the same order on every read, so each line is checked against the label
 * expected at its position (startsWith at an offset: no string is cut out, nothing is hashed)
 * and only a line that differs is looked up by name. A pure cache: the output is the same as a
 * lookup of every line.
 */
let layout: LineKind[] = [];

function kindAt(host: string, start: number, colon: number, index: number): LineKind | undefined {
  const known = layout[index];
  if (known !== undefined && colon - start + 1 === known.labelColon.length && host.startsWith(known.labelColon, start)) return known;
  if (colon <= start) return undefined;
  const labelColon = host.slice(start, colon + 1);
  const field = FIELDS.get(labelColon.slice(0, -1));
  const kind: LineKind = { labelColon, padded: field === undefined ? undefined : labelColon.padEnd(16), field };
  if (index <= layout.length) layout[index] = kind;
  else layout = [];
  return kind;
}

/** Renders /proc/meminfo for a cgroup from the host's text and the cgroup's memory values. */
export function renderMeminfo(host: string, m: MeminfoInput): string {
  const d = derive(host, m);
  let out = '';
  let index = 0;
  for (let start = 0; start < host.length; index++) {
    const nl = host.indexOf('\n', start);
    const end = nl === -1 ? host.length : nl + 1;
    const colon = host.indexOf(':', start);
    const kind = colon !== -1 && colon < end ? kindAt(host, start, colon, index) : undefined;
    // The kernel's and lxcfs's layout: label padded to 16 columns, value to 8, then " kB".
    out += kind?.field === undefined ? host.slice(start, end) : `${kind.padded as string}${String(kind.field(d)).padStart(8)} kB\n`;
    start = end;
  }
  return out;
}

function derive(host: string, m: MeminfoInput): Derived {
  const hostTotal = hostMeminfoField(host, 'MemTotal');
  const limitKb = m.limitBytes === null ? hostTotal : kb(m.limitBytes);
  const totalKb = limitKb === 0 ? hostTotal : Math.min(limitKb, hostTotal);
  const usageKb = kb(m.usageBytes);
  const swap = m.swap === null
    ? { totalKb: 0, usedKb: 0 }
    : swapFigures({ ...m.swap, version: m.version, memLimitKb: totalKb, memUsageKb: usageKb, hostSwapTotalKb: hostMeminfoField(host, 'SwapTotal') });
  return {
    totalKb,
    freeKb: Math.max(0, totalKb - usageKb),
    s: m.stat,
    swapTotalKb: swap.totalKb,
    swapFreeKb: Math.max(0, swap.totalKb - swap.usedKb),
    v2: m.version === 2,
  };
}
