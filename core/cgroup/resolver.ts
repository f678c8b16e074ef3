import type { CgroupFs } from './fs';
import { nodeCgroupFs } from './fs';
import type { CgroupLocation, CgroupMount } from './mounts';
import { locateCgroups, parseMountinfo, parseProcCgroup } from './mounts';
import type { Result } from './problem';

/** Pure: the location of a process's cgroups from the texts the kernel gives. */
export function locateFromTexts(procCgroup: string, mountinfo: string, v2RootControllers: string): CgroupLocation {
  const controllers = v2RootControllers.trim() === '' ? [] : v2RootControllers.trim().split(/\s+/);
  return locateCgroups(parseProcCgroup(procCgroup), parseMountinfo(mountinfo), controllers);
}

export interface CgroupResolverOptions {
  readonly fs?: CgroupFs;
  /** Where /proc is (tests point this at a recorded tree). */
  readonly procRoot?: string;
}

interface MountTable {
  readonly mounts: readonly CgroupMount[];
  readonly v2Controllers: readonly string[];
}

/**
 * Finds the cgroup directories of a process. The mount table is read once and kept: it changes
 * only when an administrator remounts cgroupfs, and re-reading it per lookup would double the
 * I/O of every shim request. Call `refresh()` after a remount.
 */
export class CgroupResolver {
  private readonly fs: CgroupFs;
  private readonly procRoot: string;
  private table: Promise<Result<MountTable>> | undefined;

  constructor(opts: CgroupResolverOptions = {}) {
    this.fs = opts.fs ?? nodeCgroupFs;
    this.procRoot = opts.procRoot ?? '/proc';
  }

  refresh(): void {
    this.table = undefined;
  }

  async locate(pid: number | 'self'): Promise<Result<CgroupLocation>> {
    const r = await this.locateWithText(pid);
    return r.ok ? { ok: true, value: r.value.location } : r;
  }

  /**
   * Like locate, also returning the /proc/<pid>/cgroup text it was computed from, so a caller
   * that caches locations can tell cheaply whether the process has moved since.
   */
  async locateWithText(pid: number | 'self'): Promise<Result<{ location: CgroupLocation; text: string }>> {
    const [table, cg] = await Promise.all([this.mountTable(), this.fs.readText(`${this.procRoot}/${pid}/cgroup`)]);
    if (!table.ok) return table;
    if (!cg.ok) return { ok: false, problem: cg.problem };
    const location = locateCgroups(parseProcCgroup(cg.text), table.value.mounts, table.value.v2Controllers);
    return { ok: true, value: { location, text: cg.text } };
  }

  private async mountTable(): Promise<Result<MountTable>> {
    this.table ??= this.loadMountTable();
    const t = await this.table;
    if (!t.ok) this.table = undefined; // do not cache a failure
    return t;
  }

  private async loadMountTable(): Promise<Result<MountTable>> {
    const info = await this.fs.readText(`${this.procRoot}/self/mountinfo`);
    if (!info.ok) return { ok: false, problem: info.problem };
    const mounts = parseMountinfo(info.text);
    const v2 = mounts.find((m) => m.version === 2);
    let v2Controllers: string[] = [];
    if (v2 !== undefined) {
      const c = await this.fs.readText(`${v2.mountPoint}/cgroup.controllers`);
      if (c.ok && c.text.trim() !== '') v2Controllers = c.text.trim().split(/\s+/);
    }
    return { ok: true, value: { mounts, v2Controllers } };
  }
}
