import type { CgroupFs, CgroupLocation, ControllerDir, CpuStats, CpusetReading, FileProblem, FileRead, MemoryStatFields } from '../../core/cgroup';
import {
  ancestorDirs, cpuFromFiles, cpusetFileNames, memoryStatFieldsFromSlots, memoryStatValue, parseUint, pickCpuset, readCpu,
  readFileSet, scanMemoryStat,
} from '../../core/cgroup';
import { FileSetReader } from '../../core/cgroup/files';

/**
 * The core/cgroup readers, narrowed to the files one rendered file needs. core's readMemory and
 * readCpu read every file the collector reports (8 and 10 files); a render of meminfo needs 3–4
 * of them and stat 1–2. Each file read is a kernel render of its own (memory.stat walks the
 * hierarchy), so reading only these is most of a render's cost saved. The same pure
 * `*FromFiles` functions interpret the texts; files not asked for come out as null, never as
 * problems, so results are those of the full readers for every field the renderers use
 * (tests/unit/lxcfs-shim/reads.test.ts holds the two side by side).
 */

/** What meminfo and swaps need of a memory cgroup: core's MemoryStats fields of the same names. */
export interface MemoryView {
  readonly version: 1 | 2;
  readonly usageBytes: number | null;
  readonly swapUsageBytes: number | null;
  readonly memswUsageBytes: number | null;
  readonly swappiness: number | null;
  readonly stat: MemoryStatFields | null;
  /** v1 memory.stat's hierarchical_memory_limit / _memsw_limit: null = unlimited, undefined = absent. */
  readonly hierarchicalMemoryLimit: number | null | undefined;
  readonly hierarchicalMemswLimit: number | null | undefined;
  readonly problems: readonly FileProblem[];
}

/** Reused by every render on this thread: the fields are taken out before anything else runs. */
const SLOTS = scanMemoryStat('');

function hierarchical(v: number | undefined): number | null | undefined {
  return v === undefined ? undefined : v >= 2 ** 62 ? null : v;
}

/**
 * memory.stat carries the v1 hierarchical limits; usage, swap usage and swappiness complete
 * meminfo. memory.stat is scanned into fixed slots (core's scanMemoryStat), not into a Map and a
 * dictionary of every key: the same values, without the allocations and string hashing.
 */
export async function readMemoryForView(fs: CgroupFs, cg: ControllerDir, swap: boolean): Promise<MemoryView> {
  return memoryViewFromFiles(cg, await readFileSet(fs, cg.dir, memoryViewFiles(cg, swap)));
}

/** A file's text without waiting, or undefined (CachedFdFs.readTextNow). */
export type ReadNow = (path: string) => FileRead | undefined;

/** readMemoryForView when every file can be read without waiting; else undefined. */
export function readMemoryForViewNow(now: ReadNow, cg: ControllerDir, swap: boolean): MemoryView | undefined {
  const files = fileSetNow(now, cg.dir, memoryViewFiles(cg, swap));
  return files === undefined ? undefined : memoryViewFromFiles(cg, files);
}

function memoryViewFiles(cg: ControllerDir, swap: boolean): readonly string[] {
  if (cg.version === 2) return swap ? ['memory.stat', 'memory.current', 'memory.swap.current'] : ['memory.stat', 'memory.current'];
  return swap ? ['memory.stat', 'memory.usage_in_bytes', 'memory.memsw.usage_in_bytes', 'memory.swappiness'] : ['memory.stat', 'memory.usage_in_bytes'];
}

function memoryViewFromFiles(cg: ControllerDir, files: ReadonlyMap<string, FileRead>): MemoryView {
  const v2 = cg.version === 2;
  const r = new FileSetReader(files, cg.dir);
  const slots = r.parse('memory.stat', (t) => scanMemoryStat(t, SLOTS as Float64Array));
  const stat = slots === null ? null : memoryStatFieldsFromSlots(slots, cg.version);
  const memLimit = slots === null || v2 ? undefined : hierarchical(memoryStatValue(slots, 'hierarchical_memory_limit'));
  const memswLimit = slots === null || v2 ? undefined : hierarchical(memoryStatValue(slots, 'hierarchical_memsw_limit'));
  const usage = r.parse(v2 ? 'memory.current' : 'memory.usage_in_bytes', parseUint);
  const memsw = v2 ? null : r.parse('memory.memsw.usage_in_bytes', parseUint);
  return {
    version: cg.version, usageBytes: usage, stat, hierarchicalMemoryLimit: memLimit, hierarchicalMemswLimit: memswLimit,
    swapUsageBytes: v2 ? r.parse('memory.swap.current', parseUint) : memsw === null || usage === null ? null : Math.max(0, memsw - usage),
    memswUsageBytes: memsw,
    swappiness: v2 ? null : r.parse('memory.swappiness', parseUint),
    problems: r.problems,
  };
}

function cpuDirs(loc: CgroupLocation): { cpu: ControllerDir; acct: ControllerDir } | undefined {
  // As core's readCpu: cpu and cpuacct can be separate v1 hierarchies, each standing in for the other.
  const cpu = loc.dirs.get('cpu') ?? loc.dirs.get('cpuacct');
  const acct = loc.dirs.get('cpuacct') ?? cpu;
  return cpu === undefined || acct === undefined ? undefined : { cpu, acct };
}

const NO_CPU: FileProblem = { file: 'cpu', reason: 'missing', detail: 'no cpu or cpuacct hierarchy for this process' };

/** Which files to read: v2's cpu directory, or v1's cpu and cpuacct directories. */
interface CpuFileChoice {
  readonly v2: readonly string[];
  readonly v1Cpu: readonly string[];
  readonly v1Acct: readonly string[];
}

async function readCpuSubset(fs: CgroupFs, loc: CgroupLocation, names: CpuFileChoice): Promise<CpuStats | FileProblem> {
  const d = cpuDirs(loc);
  if (d === undefined) return NO_CPU;
  if (d.cpu.version === 2) {
    return cpuFromFiles(2, { dir: d.cpu.dir, files: await readFileSet(fs, d.cpu.dir, names.v2) }, { dir: d.cpu.dir, files: new Map() });
  }
  const [cpu, acct] = await Promise.all([readFileSet(fs, d.cpu.dir, names.v1Cpu), readFileSet(fs, d.acct.dir, names.v1Acct)]);
  return cpuFromFiles(1, { dir: d.cpu.dir, files: cpu }, { dir: d.acct.dir, files: acct });
}

/**
 * For /proc/stat: per-CPU times or the v2 totals. v1 kernels since 4.7 have cpuacct.usage_all;
 * only without it are the fallbacks (usage_percpu, then the totals) needed, which the full
 * reader then gives with the same precedence.
 */
export async function readCpuTimesForView(fs: CgroupFs, loc: CgroupLocation): Promise<CpuStats | FileProblem> {
  const cpu = await readCpuSubset(fs, loc, { v2: ['cpu.stat'], v1Cpu: [], v1Acct: ['cpuacct.usage_all'] });
  if ('quota' in cpu && cpu.version === 1 && cpu.perCpu === null) return readCpu(fs, loc);
  return cpu;
}

/** The FileSet readFileSet would give, without waiting; undefined as soon as one file would wait. */
function fileSetNow(now: ReadNow, dir: string, names: readonly string[]): Map<string, FileRead> | undefined {
  const out = new Map<string, FileRead>();
  for (const n of names) {
    const f = now(`${dir}/${n}`);
    if (f === undefined) return undefined;
    out.set(n, f);
  }
  return out;
}

/** readCpuSubset without waiting, or undefined. */
function readCpuSubsetNow(now: ReadNow, loc: CgroupLocation, names: CpuFileChoice): CpuStats | FileProblem | undefined {
  const d = cpuDirs(loc);
  if (d === undefined) return NO_CPU;
  const v2 = d.cpu.version === 2;
  const cpu = fileSetNow(now, d.cpu.dir, v2 ? names.v2 : names.v1Cpu);
  const acct = v2 ? new Map<string, FileRead>() : fileSetNow(now, d.acct.dir, names.v1Acct);
  if (cpu === undefined || acct === undefined) return undefined;
  return cpuFromFiles(d.cpu.version, { dir: d.cpu.dir, files: cpu }, { dir: d.acct.dir, files: acct });
}

/**
 * readCpuTimesForView without waiting. A v1 cgroup without usage_all needs the full reader's
 * fallbacks, which are not kept descriptors: undefined, and the caller takes the async way.
 */
export function readCpuTimesForViewNow(now: ReadNow, loc: CgroupLocation): CpuStats | FileProblem | undefined {
  const cpu = readCpuSubsetNow(now, loc, { v2: ['cpu.stat'], v1Cpu: [], v1Acct: ['cpuacct.usage_all'] });
  if (cpu !== undefined && 'quota' in cpu && cpu.version === 1 && cpu.perCpu === null) return undefined;
  return cpu;
}

/** readQuotaForView without waiting, or undefined. */
export function readQuotaForViewNow(now: ReadNow, loc: CgroupLocation): CpuStats | FileProblem | undefined {
  return readCpuSubsetNow(now, loc, { v2: ['cpu.max'], v1Cpu: ['cpu.cfs_quota_us', 'cpu.cfs_period_us'], v1Acct: [] });
}

/** For the cpuView option: the CFS quota and period only. */
export function readQuotaForView(fs: CgroupFs, loc: CgroupLocation): Promise<CpuStats | FileProblem> {
  return readCpuSubset(fs, loc, { v2: ['cpu.max'], v1Cpu: ['cpu.cfs_quota_us', 'cpu.cfs_period_us'], v1Acct: [] });
}

/** For uptime's idle column: total CPU time only. */
export function readUsageForView(fs: CgroupFs, loc: CgroupLocation): Promise<CpuStats | FileProblem> {
  return readCpuSubset(fs, loc, { v2: ['cpu.stat'], v1Cpu: [], v1Acct: ['cpuacct.usage'] });
}

/** Stands for a file not read: pickCpuset skips empty texts, exactly as for an empty file. */
const NOT_READ: FileRead = { ok: true, text: '' };

/**
 * core's readCpuset reads the whole ancestor chain at once, which costs nothing extra when reads
 * wait in a threadpool; read synchronously, each extra file is pure cost. The common case (the
 * cgroup's own configured list) takes one file. pickCpuset decides exactly as over the full
 * chain, because it takes the first list found in the order the files are read here.
 */
export async function readCpusetForView(fs: CgroupFs, cg: ControllerDir): Promise<CpusetReading> {
  const names = cpusetFileNames(cg.version);
  const dirs = ancestorDirs(cg);
  const levels: (readonly [FileRead, FileRead])[] = [];
  for (let i = 0; ; i++) {
    const d = dirs[i] as string;
    const configured = await fs.readText(`${d}/${names[0]}`);
    const early = pickCpuset(dirs.slice(0, i + 1), names, [...levels, [configured, NOT_READ]]);
    if (early.view !== null) return early;
    levels.push([configured, await fs.readText(`${d}/${names[1]}`)]);
    const r = pickCpuset(dirs.slice(0, i + 1), names, levels);
    if (r.view !== null || i === dirs.length - 1) return r;
  }
}

/** readCpusetForView without waiting: the same files in the same order, or undefined. */
export function readCpusetForViewNow(now: ReadNow, cg: ControllerDir): CpusetReading | undefined {
  const names = cpusetFileNames(cg.version);
  const dirs = ancestorDirs(cg);
  const levels: (readonly [FileRead, FileRead])[] = [];
  for (let i = 0; ; i++) {
    const d = dirs[i] as string;
    const configured = now(`${d}/${names[0]}`);
    if (configured === undefined) return undefined;
    const early = pickCpuset(dirs.slice(0, i + 1), names, [...levels, [configured, NOT_READ]]);
    if (early.view !== null) return early;
    const effective = now(`${d}/${names[1]}`);
    if (effective === undefined) return undefined;
    levels.push([configured, effective]);
    const r = pickCpuset(dirs.slice(0, i + 1), names, levels);
    if (r.view !== null || i === dirs.length - 1) return r;
  }
}
