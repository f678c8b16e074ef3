import type { CgroupFs } from './fs';
import type { FileSet } from './files';
import { FileSetReader, readFileSet } from './files';
import type { CgroupLocation, ControllerDir } from './mounts';
import type { CpuTimes } from './parse';
import { parseCpuMax, parseFlatKeyed, parseInt64, parseUint, parseUintList, parseUsageAll } from './parse';
import type { FileProblem } from './problem';

/** USER_HZ: the unit of cpuacct.stat and /proc/stat. Fixed at 100 by the kernel ABI on Linux. */
export const USER_HZ = 100;

export interface CpuThrottling {
  readonly periods: number;
  readonly throttledPeriods: number;
  readonly throttledNs: number;
}

export interface CpuQuota {
  /** Microseconds of CPU per period; null = no quota. */
  readonly quotaUs: number | null;
  readonly periodUs: number | null;
}

export interface CpuStats {
  readonly version: 1 | 2;
  /** Total CPU time: v1 cpuacct.usage, v2 cpu.stat usage_usec (converted to ns). */
  readonly usageNs: number | null;
  /** v1 cpuacct.usage_user/usage_sys (or cpuacct.stat × 10⁹/USER_HZ); v2 user_usec/system_usec. */
  readonly userNs: number | null;
  readonly systemNs: number | null;
  /** v1 only: per-CPU user/system from cpuacct.usage_all, or usage_percpu split as all-user. */
  readonly perCpu: readonly CpuTimes[] | null;
  /** v1 only: cpuacct.usage_percpu as the kernel reports it. */
  readonly usagePercpuNs: readonly number[] | null;
  readonly throttling: CpuThrottling | null;
  readonly quota: CpuQuota;
  /** v1 cpu.shares (default 1024). */
  readonly shares: number | null;
  /** v2 cpu.weight (default 100). */
  readonly weight: number | null;
  readonly problems: readonly FileProblem[];
}

export const CPUACCT_V1_FILES = [
  'cpuacct.usage', 'cpuacct.usage_user', 'cpuacct.usage_sys', 'cpuacct.usage_all', 'cpuacct.usage_percpu', 'cpuacct.stat',
] as const;
export const CPU_V1_FILES = ['cpu.stat', 'cpu.cfs_quota_us', 'cpu.cfs_period_us', 'cpu.shares'] as const;
export const CPU_V2_FILES = ['cpu.stat', 'cpu.max', 'cpu.weight'] as const;

/** Optional files whose absence is normal (older kernels, or cpu controller not enabled in v2). */
const OPTIONAL = new Set(['cpuacct.usage_user', 'cpuacct.usage_sys', 'cpuacct.usage_all', 'cpu.max', 'cpu.weight']);

function cpuFromV2(dir: string, files: FileSet): CpuStats {
  const r = new FileSetReader(files, dir);
  const stat = r.parse('cpu.stat', parseFlatKeyed);
  const us = (k: string): number | null => {
    const v = stat?.get(k);
    return v === undefined ? null : v * 1000;
  };
  const max = r.parse('cpu.max', parseCpuMax);
  const periods = stat?.get('nr_periods');
  return {
    version: 2,
    usageNs: us('usage_usec'),
    userNs: us('user_usec'),
    systemNs: us('system_usec'),
    perCpu: null,
    usagePercpuNs: null,
    throttling: periods === undefined ? null : {
      periods, throttledPeriods: stat?.get('nr_throttled') ?? 0, throttledNs: us('throttled_usec') ?? 0,
    },
    quota: { quotaUs: max?.quotaUs ?? null, periodUs: max?.periodUs ?? null },
    shares: null,
    weight: r.parse('cpu.weight', parseUint),
    problems: r.problems.filter((p) => !(p.reason === 'missing' && OPTIONAL.has(baseName(p.file)))),
  };
}

function baseName(path: string): string {
  return path.slice(path.lastIndexOf('/') + 1);
}

function cpuFromV1(cpuDir: string, cpu: FileSet, acctDir: string, acct: FileSet): CpuStats {
  const rc = new FileSetReader(cpu, cpuDir);
  const ra = new FileSetReader(acct, acctDir);
  const acctStat = ra.parse('cpuacct.stat', parseFlatKeyed);
  const tickNs = 1e9 / USER_HZ;
  const userNs = ra.parse('cpuacct.usage_user', parseUint) ?? ticks(acctStat?.get('user'), tickNs);
  const systemNs = ra.parse('cpuacct.usage_sys', parseUint) ?? ticks(acctStat?.get('system'), tickNs);
  const percpu = ra.parse('cpuacct.usage_percpu', parseUintList);
  // Without usage_all the user/system split per CPU is unknown; lxcfs counts it all as user.
  const perCpu = ra.parse('cpuacct.usage_all', parseUsageAll) ?? percpu?.map((ns) => ({ userNs: ns, systemNs: 0 })) ?? null;
  const stat = rc.parse('cpu.stat', parseFlatKeyed);
  const quota = rc.parse('cpu.cfs_quota_us', parseInt64);
  const periods = stat?.get('nr_periods');
  return {
    version: 1,
    usageNs: ra.parse('cpuacct.usage', parseUint),
    userNs,
    systemNs,
    perCpu,
    usagePercpuNs: percpu,
    throttling: periods === undefined ? null : {
      periods, throttledPeriods: stat?.get('nr_throttled') ?? 0, throttledNs: stat?.get('throttled_time') ?? 0,
    },
    quota: { quotaUs: quota === null || quota < 0 ? null : quota, periodUs: rc.parse('cpu.cfs_period_us', parseUint) },
    shares: rc.parse('cpu.shares', parseUint),
    weight: null,
    problems: [...rc.problems, ...ra.problems].filter((p) => !(p.reason === 'missing' && OPTIONAL.has(baseName(p.file)))),
  };
}

function ticks(v: number | undefined, tickNs: number): number | null {
  return v === undefined ? null : v * tickNs;
}

/**
 * Pure: CPU accounting from the file texts. In v1 the cpu and cpuacct controllers can be mounted
 * apart (as on hosts with separate hierarchies), so they come as two file sets.
 */
export function cpuFromFiles(
  version: 1 | 2,
  cpu: { dir: string; files: FileSet },
  cpuacct: { dir: string; files: FileSet },
): CpuStats {
  return version === 2 ? cpuFromV2(cpu.dir, cpu.files) : cpuFromV1(cpu.dir, cpu.files, cpuacct.dir, cpuacct.files);
}

export async function readCpu(fs: CgroupFs, loc: CgroupLocation): Promise<CpuStats | FileProblem> {
  const cpuDir: ControllerDir | undefined = loc.dirs.get('cpu') ?? loc.dirs.get('cpuacct');
  const acctDir: ControllerDir | undefined = loc.dirs.get('cpuacct') ?? cpuDir;
  if (cpuDir === undefined || acctDir === undefined) {
    return { file: 'cpu', reason: 'missing', detail: 'no cpu or cpuacct hierarchy for this process' };
  }
  if (cpuDir.version === 2) {
    return cpuFromFiles(2, { dir: cpuDir.dir, files: await readFileSet(fs, cpuDir.dir, CPU_V2_FILES) }, { dir: cpuDir.dir, files: new Map() });
  }
  const [cpu, acct] = await Promise.all([
    readFileSet(fs, cpuDir.dir, CPU_V1_FILES),
    readFileSet(fs, acctDir.dir, CPUACCT_V1_FILES),
  ]);
  return cpuFromFiles(1, { dir: cpuDir.dir, files: cpu }, { dir: acctDir.dir, files: acct });
}
