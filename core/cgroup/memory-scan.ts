import type { MemoryStatFields } from './memory';
import { parseFlatKeyed } from './parse';

/**
 * memory.stat read straight into fixed slots, for readers on a hot path (the lxcfs shim renders
 * meminfo per open). parseFlatKeyed + Object.fromEntries build a Map and a dictionary object of
 * ~40 keys per read, hashing every key string; here only the keys below are looked at, matched
 * in place (no key string is created), and numbers are read digit by digit. The result is exactly
 * memoryFromFiles's `stat` (tests/unit/core/cgroup/memory-scan.test.ts holds the two side by side):
 * a file in any shape the fast path does not expect goes through parseFlatKeyed itself.
 */

/** The keys read: v1's per-cgroup and total_* keys, v2's keys, the v1 hierarchical limits. */
const KEYS = [
  'cache', 'rss', 'rss_huge', 'shmem', 'mapped_file', 'dirty', 'writeback', 'active_anon', 'inactive_anon',
  'active_file', 'inactive_file', 'unevictable', 'pgfault', 'pgmajfault', 'swap',
  'file', 'anon', 'anon_thp', 'file_mapped', 'file_dirty', 'file_writeback', 'slab_reclaimable', 'slab_unreclaimable',
  'hierarchical_memory_limit', 'hierarchical_memsw_limit',
] as const;
type Key = (typeof KEYS)[number];
/** v1 keys that also come as total_<key> (hierarchical, preferred, as in core's statFields). */
const V1_TOTALS: readonly Key[] = KEYS.slice(0, 15);

const NAMES: readonly string[] = [...KEYS, ...V1_TOTALS.map((k) => `total_${k}`)];
const SLOT = new Map<string, number>(NAMES.map((n, i) => [n, i]));
/** Candidate slots by key length, so a line's key is compared with a handful of names only. */
const BY_LENGTH: readonly (readonly number[])[] = (() => {
  const out: number[][] = [];
  NAMES.forEach((n, i) => (out[n.length] ??= []).push(i));
  return out;
})();

const ZERO = 0x30;
const NINE = 0x39;
/** Digits a double accumulates exactly (< 2^53); longer numbers go through Number(). */
const EXACT_DIGITS = 15;

/** memory.stat values by slot; NaN = the key was not in the file. */
export type MemoryStatSlots = Float64Array;

/**
 * Scans `text` into slots; undefined when the text is malformed (as parseFlatKeyed would say).
 * Lines in the kernel's own form ("key 123") take the fast path; any other line (padding, a tab,
 * a sign, CR) sends the whole text through parseFlatKeyed, so the outcome never differs from it.
 */
export function scanMemoryStat(text: string, into: MemoryStatSlots = new Float64Array(NAMES.length)): MemoryStatSlots | undefined {
  into.fill(NaN);
  const n = text.length;
  let pos = 0;
  while (pos < n) {
    let nl = text.indexOf('\n', pos);
    if (nl === -1) nl = n;
    if (nl > pos && !scanLine(text, pos, nl, into)) return slowScan(text, into);
    pos = nl + 1;
  }
  return into;
}

/** One "key digits" line; false if it is in any other shape. */
function scanLine(text: string, start: number, end: number, into: MemoryStatSlots): boolean {
  const sp = text.indexOf(' ', start);
  if (sp <= start || sp + 1 >= end) return false;
  let v = 0;
  for (let i = sp + 1; i < end; i++) {
    const c = text.charCodeAt(i);
    if (c < ZERO || c > NINE) return false;
    v = v * 10 + (c - ZERO);
  }
  const slot = slotOf(text, start, sp);
  if (slot === -1) return true;
  into[slot] = end - sp - 1 > EXACT_DIGITS ? Number(text.slice(sp + 1, end)) : v;
  return true;
}

function slotOf(text: string, start: number, sp: number): number {
  const candidates = BY_LENGTH[sp - start];
  if (candidates === undefined) return -1;
  for (const i of candidates) if (text.startsWith(NAMES[i] as string, start)) return i;
  return -1;
}

function slowScan(text: string, into: MemoryStatSlots): MemoryStatSlots | undefined {
  const m = parseFlatKeyed(text);
  if (m === undefined) return undefined;
  into.fill(NaN);
  for (const [k, v] of m) {
    const slot = SLOT.get(k);
    if (slot !== undefined) into[slot] = v;
  }
  return into;
}

function slotIndex(name: string): number {
  return SLOT.get(name) as number;
}

function value(s: MemoryStatSlots, slot: number): number | undefined {
  const v = s[slot] as number;
  return Number.isNaN(v) ? undefined : v;
}

/** A slot's value, or undefined when memory.stat did not have the key. */
export function memoryStatValue(s: MemoryStatSlots, key: Key | `total_${Key}`): number | undefined {
  return value(s, slotIndex(key));
}

/** Slot numbers of one normalised field: v1 total_<key>, v1 <key>, v2 key (resolved once, at load). */
interface FieldSlots {
  readonly total: number;
  readonly own: number;
  readonly v2: number;
}

function field(v1Key: Key, v2Key: Key): FieldSlots {
  return { total: slotIndex(`total_${v1Key}`), own: slotIndex(v1Key), v2: slotIndex(v2Key) };
}

const F = {
  cache: field('cache', 'file'), rss: field('rss', 'anon'), rssHuge: field('rss_huge', 'anon_thp'), shmem: field('shmem', 'shmem'),
  mappedFile: field('mapped_file', 'file_mapped'), dirty: field('dirty', 'file_dirty'), writeback: field('writeback', 'file_writeback'),
  activeAnon: field('active_anon', 'active_anon'), inactiveAnon: field('inactive_anon', 'inactive_anon'),
  activeFile: field('active_file', 'active_file'), inactiveFile: field('inactive_file', 'inactive_file'),
  unevictable: field('unevictable', 'unevictable'), pgfault: field('pgfault', 'pgfault'), pgmajfault: field('pgmajfault', 'pgmajfault'),
  swap: field('swap', 'swap'),
} as const;
const SLAB_RECLAIMABLE = slotIndex('slab_reclaimable');
const SLAB_UNRECLAIMABLE = slotIndex('slab_unreclaimable');

/** v1: total_<key>, else <key>, else 0 (per-cgroup keys exclude children); v2: the key, else 0. */
function pick(s: MemoryStatSlots, f: FieldSlots, version: 1 | 2): number {
  return (version === 1 ? (value(s, f.total) ?? value(s, f.own)) : value(s, f.v2)) ?? 0;
}

/** Exactly core's statFields over the same text (memory.ts), from the slots. */
export function memoryStatFieldsFromSlots(s: MemoryStatSlots, version: 1 | 2): MemoryStatFields {
  return {
    cache: pick(s, F.cache, version),
    rss: pick(s, F.rss, version),
    rssHuge: pick(s, F.rssHuge, version),
    shmem: pick(s, F.shmem, version),
    mappedFile: pick(s, F.mappedFile, version),
    dirty: pick(s, F.dirty, version),
    writeback: pick(s, F.writeback, version),
    activeAnon: pick(s, F.activeAnon, version),
    inactiveAnon: pick(s, F.inactiveAnon, version),
    activeFile: pick(s, F.activeFile, version),
    inactiveFile: pick(s, F.inactiveFile, version),
    unevictable: pick(s, F.unevictable, version),
    slabReclaimable: version === 2 ? (value(s, SLAB_RECLAIMABLE) ?? null) : null,
    slabUnreclaimable: version === 2 ? (value(s, SLAB_UNRECLAIMABLE) ?? null) : null,
    swap: version === 1 ? (value(s, F.swap.total) ?? value(s, F.swap.own) ?? null) : null,
    pgfault: pick(s, F.pgfault, version),
    pgmajfault: pick(s, F.pgmajfault, version),
  };
}
