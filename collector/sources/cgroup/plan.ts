import {
  blkioFromFiles, cpuFromFiles, memoryFromFiles, pidsFromFiles, type CgroupLocation, type ControllerDir, type FileRead,
} from '../../../core/cgroup';
import type { CgroupReadings } from './map';

/**
 * Which files the cgroup source reads, and when. core/cgroup's readers read every file a consumer
 * might want (the lxcfs shim needs per-CPU usage, swappiness, memsw usage…); a scrape reads only
 * what the emitted samples need, and limits ("spec" files, which change only on `docker update`)
 * once per container run and then every SPEC_REFRESH_SCRAPES scrapes. The core parsers take
 * whatever subset they are given: a file absent from the set is simply not reported.
 */
export interface ControllerFiles {
  readonly scrape: readonly string[];
  readonly spec: readonly string[];
}

export type PlannedController = 'cpu' | 'cpuacct' | 'memory' | 'blkio' | 'pids';

export type FilePlan = Readonly<Record<PlannedController, ControllerFiles>>;

export const V1_PLAN: FilePlan = Object.freeze({
  cpu: { scrape: ['cpu.stat'], spec: ['cpu.cfs_quota_us', 'cpu.cfs_period_us', 'cpu.shares'] },
  cpuacct: { scrape: ['cpuacct.usage', 'cpuacct.usage_user', 'cpuacct.usage_sys'], spec: [] },
  // rss, cache, swap and inactive_file come from memory.stat (total_*), so memsw.usage is not needed.
  memory: { scrape: ['memory.usage_in_bytes', 'memory.stat', 'memory.failcnt', 'memory.oom_control'], spec: ['memory.limit_in_bytes', 'memory.memsw.limit_in_bytes'] },
  blkio: { scrape: ['blkio.throttle.io_service_bytes_recursive', 'blkio.throttle.io_serviced_recursive'], spec: [] },
  pids: { scrape: ['pids.current'], spec: ['pids.max'] },
});

/** Kernels before 4.7 lack usage_user/usage_sys: cpuacct.stat (USER_HZ ticks) says the same. */
export const V1_CPUACCT_FALLBACK: ControllerFiles = Object.freeze({ scrape: ['cpuacct.usage', 'cpuacct.stat'], spec: [] });
/** Kernels without the throttle *_recursive files: the cgroup's own counters. */
export const V1_BLKIO_FALLBACK: ControllerFiles = Object.freeze({ scrape: ['blkio.throttle.io_service_bytes', 'blkio.throttle.io_serviced'], spec: [] });

export const V2_PLAN: FilePlan = Object.freeze({
  cpu: { scrape: ['cpu.stat'], spec: ['cpu.max', 'cpu.weight'] },
  // v2 cpu.stat carries usage, user and system: nothing more to read for "cpuacct".
  cpuacct: { scrape: [], spec: [] },
  memory: { scrape: ['memory.current', 'memory.stat', 'memory.events', 'memory.swap.current'], spec: ['memory.max', 'memory.swap.max'] },
  blkio: { scrape: ['io.stat'], spec: [] },
  pids: { scrape: ['pids.current'], spec: ['pids.max'] },
});

/** Limits are re-read this often even without a Docker `update` event (a change made behind its back). */
export const SPEC_REFRESH_SCRAPES = 30;

export function planFor(version: 1 | 2): FilePlan {
  return version === 2 ? V2_PLAN : V1_PLAN;
}

interface PlannedFile {
  readonly name: string;
  readonly path: string;
}

/**
 * One controller of one container run: absolute paths joined once, and one FileSet map reused
 * every scrape (the same keys are overwritten, so a scrape allocates no map).
 */
export class ControllerReads {
  readonly files = new Map<string, FileRead>();
  private readonly scrape: readonly PlannedFile[];
  private readonly spec: readonly PlannedFile[];

  constructor(
    readonly cg: ControllerDir,
    plan: ControllerFiles,
  ) {
    const join = (name: string): PlannedFile => ({ name, path: `${cg.dir}/${name}` });
    this.scrape = plan.scrape.map(join);
    this.spec = plan.spec.map(join);
  }

  /** Reads this scrape's files, and the spec files when `withSpec`; returns the reused set. */
  read(readText: (path: string) => FileRead, withSpec: boolean): ReadonlyMap<string, FileRead> {
    for (const f of this.scrape) this.files.set(f.name, readText(f.path));
    if (withSpec) for (const f of this.spec) this.files.set(f.name, readText(f.path));
    return this.files;
  }
}

export interface RunReads {
  readonly cpu: ControllerReads | undefined;
  readonly cpuacct: ControllerReads | undefined;
  readonly memory: ControllerReads | undefined;
  readonly blkio: ControllerReads | undefined;
  readonly pids: ControllerReads | undefined;
}

/**
 * Decides, once per run, which files to read for each controller. `exists` answers for the
 * optional v1 files whose absence selects a fallback (old kernels).
 */
export function planRun(loc: CgroupLocation, exists: (path: string) => boolean): RunReads {
  const make = (cg: ControllerDir | undefined, c: PlannedController, fallback?: Fallback): ControllerReads | undefined => {
    if (!cg) return undefined;
    const useFallback = cg.version === 1 && fallback !== undefined && !exists(`${cg.dir}/${fallback.probe}`);
    return new ControllerReads(cg, useFallback ? fallback.files : planFor(cg.version)[c]);
  };
  return {
    // v1 cpu and cpuacct are normally co-mounted; where cpu is missing its files are looked for beside cpuacct's.
    cpu: make(loc.dirs.get('cpu') ?? loc.dirs.get('cpuacct'), 'cpu'),
    cpuacct: make(loc.dirs.get('cpuacct'), 'cpuacct', { probe: 'cpuacct.usage_user', files: V1_CPUACCT_FALLBACK }),
    memory: make(loc.dirs.get('memory'), 'memory'),
    blkio: make(loc.dirs.get('blkio'), 'blkio', { probe: 'blkio.throttle.io_service_bytes_recursive', files: V1_BLKIO_FALLBACK }),
    pids: make(loc.dirs.get('pids'), 'pids'),
  };
}

interface Fallback {
  readonly probe: string;
  readonly files: ControllerFiles;
}

const NO_FILES: ReadonlyMap<string, FileRead> = new Map();

/**
 * Reads and parses one scrape of a non-sandbox container with the core parsers. Pure apart from
 * `readText`, so golden tests can serve recorded files through it.
 */
export function readPlanned(
  reads: RunReads,
  readText: (path: string) => FileRead,
  withSpec: boolean,
  cpusetCpus: number | null,
): Omit<CgroupReadings, 'network'> {
  const { cpu, cpuacct, memory, blkio, pids } = reads;
  const cpuFiles = cpu?.read(readText, withSpec);
  // v2: cpu and "cpuacct" are the same directory and cpu.stat already holds usage.
  const acctFiles = cpuacct && cpuacct.cg.version === 1 ? cpuacct.read(readText, withSpec) : NO_FILES;
  const acctDir = cpuacct?.cg.dir ?? cpu?.cg.dir ?? '';
  return {
    cpu: cpu && cpuFiles ? cpuFromFiles(cpu.cg.version, { dir: cpu.cg.dir, files: cpuFiles }, { dir: acctDir, files: acctFiles }) : null,
    memory: memory ? memoryFromFiles(memory.cg.version, memory.cg.dir, memory.read(readText, withSpec)) : null,
    blkio: blkio ? blkioFromFiles(blkio.cg.version, blkio.cg.dir, blkio.read(readText, withSpec)) : null,
    pids: pids ? pidsFromFiles(pids.cg.dir, pids.read(readText, withSpec)) : null,
    cpusetCpus,
  };
}
