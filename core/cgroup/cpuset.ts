import type { CgroupFs } from './fs';
import type { ControllerDir } from './mounts';
import { ancestorDirs } from './mounts';
import { parseCpuList } from './parse';
import type { FileProblem, FileRead } from './problem';
import { malformed } from './problem';

export interface CpusetView {
  /** The CPUs the cgroup may run on, ascending. */
  readonly cpus: readonly number[];
  /** The original list text as the kernel printed it (what lxcfs serves as cpu/online). */
  readonly text: string;
  /** The directory whose file supplied the list (an ancestor when the cgroup's own is empty). */
  readonly from: string;
  readonly file: string;
}

export interface CpusetReading {
  readonly view: CpusetView | null;
  readonly problems: readonly FileProblem[];
}

export function cpusetFileNames(version: 1 | 2): readonly [string, string] {
  return version === 2 ? ['cpuset.cpus', 'cpuset.cpus.effective'] : ['cpuset.cpus', 'cpuset.effective_cpus'];
}

/**
 * Pure: picks the cpu list for a cgroup from the texts of its own and its ancestors' files,
 * in lxcfs's order: the configured list, else the effective list, else the parent's (v2 leaves
 * cpuset.cpus empty until someone writes it).
 * @param levels per directory from the cgroup up to the root: [configured, effective] reads.
 */
export function pickCpuset(
  dirs: readonly string[],
  names: readonly [string, string],
  levels: readonly (readonly [FileRead, FileRead])[],
): CpusetReading {
  const problems: FileProblem[] = [];
  for (let i = 0; i < levels.length; i++) {
    const dir = dirs[i] as string;
    const level = levels[i] as readonly [FileRead, FileRead];
    for (let j = 0; j < 2; j++) {
      const read = level[j] as FileRead;
      if (!read.ok) {
        // Missing files are normal on the way up (v2 roots have no cpuset.cpus) but not for
        // the cgroup's own effective list: that means the cgroup itself is gone.
        if (read.problem.reason !== 'missing' || (i === 0 && j === 1)) problems.push(read.problem);
        continue;
      }
      const text = read.text.trim();
      if (text === '') continue;
      const cpus = parseCpuList(text);
      if (cpus === undefined) {
        problems.push(malformed(`${dir}/${names[j] as string}`, text.slice(0, 80)));
        continue;
      }
      return { view: { cpus, text, from: dir, file: names[j] as string }, problems };
    }
  }
  return { view: null, problems };
}

export async function readCpuset(fs: CgroupFs, cg: ControllerDir): Promise<CpusetReading> {
  const names = cpusetFileNames(cg.version);
  const dirs = ancestorDirs(cg);
  // Read the whole chain at once: the common case stops at level 0, and parallel reads cost no
  // more latency than the first one while sparing a round trip per level in the uncommon case.
  const levels = await Promise.all(
    dirs.map(async (d) => Promise.all([fs.readText(`${d}/${names[0]}`), fs.readText(`${d}/${names[1]}`)])),
  );
  return pickCpuset(dirs, names, levels);
}
