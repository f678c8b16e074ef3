import type { CgroupFs } from './fs';
import type { FileSet } from './files';
import { FileSetReader, readFileSet } from './files';
import type { ControllerDir } from './mounts';
import { ancestorDirs } from './mounts';
import { parseFlatKeyed, parseLimit, parseUint } from './parse';
import type { FileProblem } from './problem';

/** Page-level counters from memory.stat, normalised over v1 (total_* = hierarchical) and v2. */
export interface MemoryStatFields {
  /** Page cache: v1 total_cache, v2 file. */
  readonly cache: number;
  /** Anonymous memory: v1 total_rss, v2 anon. */
  readonly rss: number;
  readonly rssHuge: number;
  readonly shmem: number;
  /** Page cache mapped into page tables: v1 total_mapped_file, v2 file_mapped. */
  readonly mappedFile: number;
  readonly dirty: number;
  readonly writeback: number;
  readonly activeAnon: number;
  readonly inactiveAnon: number;
  readonly activeFile: number;
  readonly inactiveFile: number;
  readonly unevictable: number;
  /** v2 only (slab_reclaimable / slab_unreclaimable); v1 memory.stat has no slab. */
  readonly slabReclaimable: number | null;
  readonly slabUnreclaimable: number | null;
  /** Swapped-out anonymous memory: v1 total_swap; v2 has it in memory.swap.current instead. */
  readonly swap: number | null;
  readonly pgfault: number;
  readonly pgmajfault: number;
}

export interface MemoryEvents {
  readonly low: number | null;
  readonly high: number | null;
  readonly max: number | null;
  readonly oom: number | null;
  readonly oomKill: number | null;
}

export interface MemoryStats {
  readonly version: 1 | 2;
  readonly dir: string;
  /** v1 memory.usage_in_bytes, v2 memory.current. */
  readonly usageBytes: number | null;
  /** This cgroup's own limit (null = unlimited). See effectiveMemoryLimit for the ancestors. */
  readonly limitBytes: number | null;
  /** Swap in use: v2 memory.swap.current; v1 memsw.usage - usage (memsw counts memory + swap). */
  readonly swapUsageBytes: number | null;
  /** Swap-only limit: v2 memory.swap.max; v1 memsw.limit - limit when both are set. */
  readonly swapLimitBytes: number | null;
  /** v1 only: the memory+swap counters exactly as the kernel reports them. */
  readonly memswUsageBytes: number | null;
  readonly memswLimitBytes: number | null;
  /** v1 memory.failcnt (times the limit was hit); null on v2 (see events.max). */
  readonly failcnt: number | null;
  readonly events: MemoryEvents | null;
  readonly swappiness: number | null;
  readonly stat: MemoryStatFields | null;
  /** Every key of memory.stat as read, for consumers that want more than the normalised fields. */
  readonly rawStat: Readonly<Record<string, number>>;
  readonly problems: readonly FileProblem[];
}

export const MEMORY_V1_FILES = [
  'memory.usage_in_bytes', 'memory.limit_in_bytes', 'memory.memsw.usage_in_bytes',
  'memory.memsw.limit_in_bytes', 'memory.failcnt', 'memory.stat', 'memory.oom_control',
  'memory.swappiness',
] as const;
export const MEMORY_V2_FILES = [
  'memory.current', 'memory.max', 'memory.swap.current', 'memory.swap.max', 'memory.events', 'memory.stat',
] as const;

function statFields(s: ReadonlyMap<string, number>, version: 1 | 2): MemoryStatFields {
  // v1 per-cgroup keys exclude children; the total_* keys are hierarchical like v2's.
  const v1 = (k: string): number => s.get(`total_${k}`) ?? s.get(k) ?? 0;
  const g = (v1Key: string, v2Key: string): number => (version === 1 ? v1(v1Key) : (s.get(v2Key) ?? 0));
  return {
    cache: g('cache', 'file'),
    rss: g('rss', 'anon'),
    rssHuge: g('rss_huge', 'anon_thp'),
    shmem: g('shmem', 'shmem'),
    mappedFile: g('mapped_file', 'file_mapped'),
    dirty: g('dirty', 'file_dirty'),
    writeback: g('writeback', 'file_writeback'),
    activeAnon: g('active_anon', 'active_anon'),
    inactiveAnon: g('inactive_anon', 'inactive_anon'),
    activeFile: g('active_file', 'active_file'),
    inactiveFile: g('inactive_file', 'inactive_file'),
    unevictable: g('unevictable', 'unevictable'),
    slabReclaimable: version === 2 ? (s.get('slab_reclaimable') ?? null) : null,
    slabUnreclaimable: version === 2 ? (s.get('slab_unreclaimable') ?? null) : null,
    swap: version === 1 ? (s.get('total_swap') ?? s.get('swap') ?? null) : null,
    pgfault: g('pgfault', 'pgfault'),
    pgmajfault: g('pgmajfault', 'pgmajfault'),
  };
}

function diffOrNull(a: number | null, b: number | null): number | null {
  return a === null || b === null ? null : Math.max(0, a - b);
}

/** Pure: the memory view of one cgroup from the texts of its files. */
export function memoryFromFiles(version: 1 | 2, dir: string, files: FileSet): MemoryStats {
  const r = new FileSetReader(files, dir);
  const stat = r.parse('memory.stat', parseFlatKeyed);
  const base = { version, dir, rawStat: stat === null ? {} : Object.fromEntries(stat) };
  const statView = stat === null ? null : statFields(stat, version);
  if (version === 2) {
    const events = r.parse('memory.events', parseFlatKeyed);
    return {
      ...base,
      usageBytes: r.parse('memory.current', parseUint),
      limitBytes: r.parse('memory.max', parseLimit),
      swapUsageBytes: r.parse('memory.swap.current', parseUint),
      swapLimitBytes: r.parse('memory.swap.max', parseLimit),
      memswUsageBytes: null,
      memswLimitBytes: null,
      failcnt: null,
      events: events === null ? null : {
        low: events.get('low') ?? null, high: events.get('high') ?? null, max: events.get('max') ?? null,
        oom: events.get('oom') ?? null, oomKill: events.get('oom_kill') ?? null,
      },
      swappiness: null,
      stat: statView,
      problems: r.problems,
    };
  }
  const usage = r.parse('memory.usage_in_bytes', parseUint);
  const limit = r.parse('memory.limit_in_bytes', parseLimit);
  const memswUsage = r.parse('memory.memsw.usage_in_bytes', parseUint);
  const memswLimit = r.parse('memory.memsw.limit_in_bytes', parseLimit);
  const oom = r.parse('memory.oom_control', parseFlatKeyed);
  return {
    ...base,
    usageBytes: usage,
    limitBytes: limit,
    swapUsageBytes: diffOrNull(memswUsage, usage),
    swapLimitBytes: diffOrNull(memswLimit, limit),
    memswUsageBytes: memswUsage,
    memswLimitBytes: memswLimit,
    failcnt: r.parse('memory.failcnt', parseUint),
    // v1 has no event counters except oom_kill; under_oom is a state, not a count.
    events: oom === null ? null : { low: null, high: null, max: null, oom: null, oomKill: oom.get('oom_kill') ?? null },
    swappiness: r.parse('memory.swappiness', parseUint),
    stat: statView,
    problems: r.problems,
  };
}

export async function readMemory(fs: CgroupFs, cg: ControllerDir): Promise<MemoryStats> {
  const names = cg.version === 2 ? MEMORY_V2_FILES : MEMORY_V1_FILES;
  return memoryFromFiles(cg.version, cg.dir, await readFileSet(fs, cg.dir, names));
}

export interface EffectiveLimit {
  /** The smallest limit over the cgroup and its ancestors; null when none is set. */
  readonly bytes: number | null;
  /** The directory whose limit won, for explaining a number to a user. */
  readonly from: string | null;
  readonly problems: readonly FileProblem[];
}

/**
 * The limit that actually binds a cgroup: a child cannot use more than any ancestor allows, so
 * MemTotal must be the minimum over the whole chain, not the cgroup's own file.
 * @param kind 'memory' (v1 limit_in_bytes, v2 memory.max) or 'swap' (v1 memsw.limit_in_bytes,
 *   which is memory+swap; v2 memory.swap.max, which is swap only).
 */
export async function effectiveMemoryLimit(
  fs: CgroupFs,
  cg: ControllerDir,
  kind: 'memory' | 'swap',
): Promise<EffectiveLimit> {
  const file = cg.version === 2
    ? (kind === 'memory' ? 'memory.max' : 'memory.swap.max')
    : (kind === 'memory' ? 'memory.limit_in_bytes' : 'memory.memsw.limit_in_bytes');
  const dirs = ancestorDirs(cg);
  const reads = await Promise.all(dirs.map((d) => fs.readText(`${d}/${file}`)));
  return minLimit(dirs, reads.map((r) => (r.ok ? r.text : r.problem)), file);
}

/** Pure part of effectiveMemoryLimit. The v2 root has no memory.max: missing files are skipped. */
export function minLimit(dirs: readonly string[], texts: readonly (string | FileProblem)[], file: string): EffectiveLimit {
  let bytes: number | null = null;
  let from: string | null = null;
  const problems: FileProblem[] = [];
  texts.forEach((t, i) => {
    const dir = dirs[i] as string;
    if (typeof t !== 'string') {
      // The root of a hierarchy has no limit file in v2; that is not a problem worth reporting.
      if (!(t.reason === 'missing' && i === dirs.length - 1)) problems.push(t);
      return;
    }
    const v = parseLimit(t);
    if (v === undefined) problems.push({ file: `${dir}/${file}`, reason: 'malformed', detail: t.trim().slice(0, 80) });
    else if (v !== null && (bytes === null || v < bytes)) {
      bytes = v;
      from = dir;
    }
  });
  return { bytes, from, problems };
}
