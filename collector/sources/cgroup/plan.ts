import { blkioFromFiles, type CgroupLocation, type ControllerDir, type FileProblem, type FileRead } from '../../../core/cgroup';
import type { BlkioView, CgroupReadings, PidsView } from './map';
import { CpuV1Reads, CpuV2Reads, MemoryReads } from './controllers';
import { FileSlot, TextByteReader, collectProblems, type ByteReader } from './slots';

/**
 * Which files the cgroup source reads, and when. core/cgroup's readers read every file a consumer
 * might want (the lxcfs shim needs per-CPU usage, swappiness, memsw usage…); a scrape reads only
 * what the emitted samples need, and limits ("spec" files, which change only on `docker update`)
 * once per container run and then every SPEC_REFRESH_SCRAPES scrapes.
 *
 * Hot path: each file is read into one reused buffer and its numbers are parsed from the bytes
 * into slots kept per container run (./slots, ./scan), then derived the way core/cgroup derives
 * them (./controllers). tests/unit/collector/sources/cgroup-read-path.test.ts holds the result
 * equal to core's parsers over recorded and damaged files.
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

/** Block I/O: text slots handed to core's blkioFromFiles (a few devices at most, cheap as text). */
class BlkioReads {
  private readonly slots: readonly FileSlot[];
  private readonly files = new Map<string, FileRead>();

  constructor(
    private readonly cg: ControllerDir,
    files: ControllerFiles,
  ) {
    this.slots = files.scrape.map((n) => new FileSlot(n, `${cg.dir}/${n}`, 'text'));
  }

  read(reader: ByteReader): BlkioView {
    for (const s of this.slots) {
      s.load(reader);
      if (s.textRead) this.files.set(s.name, s.textRead);
    }
    return blkioFromFiles(this.cg.version, this.cg.dir, this.files);
  }
}

/** pids.current every scrape, pids.max with the limits. */
class PidsReads {
  private readonly current: FileSlot;
  private readonly max: FileSlot;
  private readonly both: readonly FileSlot[];
  private readonly view: { current: number | null; max: number | null; problems: FileProblem[] } = { current: null, max: null, problems: [] };

  constructor(cg: ControllerDir) {
    this.current = new FileSlot('pids.current', `${cg.dir}/pids.current`, 'uint');
    this.max = new FileSlot('pids.max', `${cg.dir}/pids.max`, 'limit');
    this.both = [this.current, this.max];
  }

  read(reader: ByteReader, withSpec: boolean): PidsView {
    this.current.load(reader);
    if (withSpec) this.max.load(reader);
    const v = this.view;
    v.current = this.current.value();
    v.max = this.max.value();
    v.problems.length = 0;
    collectProblems(this.both, v.problems);
    return v;
  }
}

export interface RunReads {
  readonly cpu: CpuV1Reads | CpuV2Reads | undefined;
  readonly memory: MemoryReads | undefined;
  readonly blkio: BlkioReads | undefined;
  readonly pids: PidsReads | undefined;
}

/**
 * Decides, once per run, which files to read for each controller. `exists` answers for the
 * optional v1 files whose absence selects a fallback (old kernels).
 */
export function planRun(loc: CgroupLocation, exists: (path: string) => boolean): RunReads {
  // v1 cpu and cpuacct are normally co-mounted; where cpu is missing its files are looked for beside cpuacct's.
  const cpu = loc.dirs.get('cpu') ?? loc.dirs.get('cpuacct');
  const acct = loc.dirs.get('cpuacct');
  const blkio = loc.dirs.get('blkio');
  const memory = loc.dirs.get('memory');
  const pids = loc.dirs.get('pids');
  const v1Missing = (cg: ControllerDir, probe: string): boolean => cg.version === 1 && !exists(`${cg.dir}/${probe}`);
  const acctFiles = acct && v1Missing(acct, 'cpuacct.usage_user') ? V1_CPUACCT_FALLBACK : V1_PLAN.cpuacct;
  const blkioFiles = blkio && v1Missing(blkio, 'blkio.throttle.io_service_bytes_recursive') ? V1_BLKIO_FALLBACK : undefined;
  return {
    cpu: cpu === undefined ? undefined : cpu.version === 2 ? new CpuV2Reads(cpu) : new CpuV1Reads(cpu, acct?.version === 1 ? acct : undefined, acctFiles),
    memory: memory ? new MemoryReads(memory) : undefined,
    blkio: blkio ? new BlkioReads(blkio, blkioFiles ?? planFor(blkio.version).blkio) : undefined,
    pids: pids ? new PidsReads(pids) : undefined,
  };
}

/**
 * Reads and parses one scrape of a non-sandbox container. Pure apart from the reader, so golden
 * tests can serve recorded files through it (a `(path) => FileRead` is read as text). The
 * returned views belong to `reads` and are overwritten by its next scrape.
 */
export function readPlanned(
  reads: RunReads,
  reader: ByteReader | ((path: string) => FileRead),
  withSpec: boolean,
  cpusetCpus: number | null,
): Omit<CgroupReadings, 'network'> {
  const r = typeof reader === 'function' ? new TextByteReader(reader) : reader;
  return {
    cpu: reads.cpu ? reads.cpu.read(r, withSpec) : null,
    memory: reads.memory ? reads.memory.read(r, withSpec) : null,
    blkio: reads.blkio ? reads.blkio.read(r) : null,
    pids: reads.pids ? reads.pids.read(r, withSpec) : null,
    cpusetCpus,
  };
}
