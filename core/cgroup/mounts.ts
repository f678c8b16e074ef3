/**
 * Pure parsers for /proc/<pid>/cgroup and /proc/<pid>/mountinfo, and the join of the two into
 * the directories that hold a process's cgroup files.
 */

/** Controllers this package reads. v1 also has named hierarchies (name=systemd) we ignore. */
export type Controller = 'memory' | 'cpu' | 'cpuacct' | 'cpuset' | 'blkio' | 'pids';
export const CONTROLLERS: readonly Controller[] = ['memory', 'cpu', 'cpuacct', 'cpuset', 'blkio', 'pids'];

/** Names of v1 controllers as they appear in mount options; other options are not controllers. */
const V1_CONTROLLER_NAMES = new Set([
  'cpu', 'cpuacct', 'cpuset', 'memory', 'devices', 'freezer', 'net_cls', 'net_prio', 'blkio',
  'perf_event', 'hugetlb', 'pids', 'rdma', 'misc', 'debug',
]);

export interface CgroupMount {
  readonly version: 1 | 2;
  /** Where the hierarchy is mounted, e.g. /sys/fs/cgroup/memory. */
  readonly mountPoint: string;
  /** The cgroup path that is the root of this mount ("/" unless it is a bind or a cgroupns). */
  readonly root: string;
  /** v1 controllers of this hierarchy; empty for v2. */
  readonly controllers: readonly string[];
}

/** mountinfo escapes space, tab, newline and backslash as \ooo. */
function unescapeMountField(s: string): string {
  return s.replace(/\\([0-7]{3})/g, (_m, oct: string) => String.fromCharCode(parseInt(oct, 8)));
}

export function parseMountinfo(text: string): CgroupMount[] {
  const out: CgroupMount[] = [];
  for (const line of text.split('\n')) {
    const fields = line.split(' ');
    const dash = fields.indexOf('-');
    if (dash < 6) continue;
    const fsType = fields[dash + 1];
    if (fsType !== 'cgroup' && fsType !== 'cgroup2') continue;
    const root = unescapeMountField(fields[3] ?? '/');
    const mountPoint = unescapeMountField(fields[4] ?? '');
    const superOpts = (fields[dash + 3] ?? '').split(',');
    const controllers = fsType === 'cgroup' ? superOpts.filter((o) => V1_CONTROLLER_NAMES.has(o)) : [];
    out.push({ version: fsType === 'cgroup2' ? 2 : 1, mountPoint, root, controllers });
  }
  return out;
}

export interface ProcCgroupEntry {
  readonly hierarchyId: number;
  /** v1 controllers of this line ("cpu,cpuacct" → both); empty for the v2 line "0::/path". */
  readonly controllers: readonly string[];
  readonly path: string;
}

export function parseProcCgroup(text: string): ProcCgroupEntry[] {
  const out: ProcCgroupEntry[] = [];
  for (const line of text.split('\n')) {
    const m = /^(\d+):([^:]*):(.*)$/.exec(line);
    if (m === null) continue;
    const controllers = (m[2] ?? '').split(',').filter((c) => V1_CONTROLLER_NAMES.has(c));
    out.push({ hierarchyId: Number(m[1]), controllers, path: m[3] ?? '/' });
  }
  return out;
}

export interface ControllerDir {
  readonly version: 1 | 2;
  /** Absolute directory holding this cgroup's files. */
  readonly dir: string;
  /** The hierarchy's mount point: the top of the ancestor walk. */
  readonly mountPoint: string;
  /** The cgroup path as the process sees it in /proc/<pid>/cgroup. */
  readonly path: string;
}

export interface CgroupLocation {
  /** v1 only, v2 only, or both mounted (hybrid; v1 controllers win for what they hold). */
  readonly mode: 'v1' | 'v2' | 'hybrid';
  readonly dirs: ReadonlyMap<Controller, ControllerDir>;
  /** The v2 path, when a v2 hierarchy is mounted and the process has a "0::" line. */
  readonly unified: ControllerDir | undefined;
}

function joinDir(mount: CgroupMount, path: string): string | undefined {
  let rel = path;
  if (mount.root !== '/') {
    if (path !== mount.root && !path.startsWith(`${mount.root}/`)) return undefined;
    rel = path.slice(mount.root.length);
  }
  const base = mount.mountPoint.endsWith('/') ? mount.mountPoint.slice(0, -1) : mount.mountPoint;
  return rel === '' || rel === '/' ? base || '/' : `${base}${rel}`;
}

/** The first mount of the hierarchy whose root contains `path` (bind mounts repeat them). */
function pickMount(mounts: readonly CgroupMount[], path: string): { mount: CgroupMount; dir: string } | undefined {
  for (const mount of mounts) {
    const dir = joinDir(mount, path);
    if (dir !== undefined) return { mount, dir };
  }
  return undefined;
}

/**
 * Joins a process's cgroup lines with the mount table.
 * @param v2Controllers the controllers enabled in the v2 root (its cgroup.controllers); in hybrid
 *   mode a controller is read from v2 only when no v1 hierarchy has it and v2 has it.
 */
export function locateCgroups(
  entries: readonly ProcCgroupEntry[],
  mounts: readonly CgroupMount[],
  v2Controllers: readonly string[],
): CgroupLocation {
  const dirs = new Map<Controller, ControllerDir>();
  const v1Mounts = mounts.filter((m) => m.version === 1);
  for (const entry of entries) {
    if (entry.hierarchyId === 0) continue;
    const candidates = v1Mounts.filter((m) => entry.controllers.every((c) => m.controllers.includes(c)));
    const picked = pickMount(candidates, entry.path);
    if (picked === undefined) continue;
    for (const c of entry.controllers) {
      if ((CONTROLLERS as readonly string[]).includes(c)) {
        dirs.set(c as Controller, { version: 1, dir: picked.dir, mountPoint: picked.mount.mountPoint, path: entry.path });
      }
    }
  }
  const unified = locateUnified(entries, mounts);
  if (unified !== undefined) {
    for (const c of CONTROLLERS) {
      // cpuacct has no v2 counterpart by name: v2 cpu.stat carries usage in every cgroup.
      const v2Name = c === 'cpuacct' ? 'cpu' : c === 'blkio' ? 'io' : c;
      const always = c === 'cpuacct';
      if (!dirs.has(c) && (always || v2Controllers.includes(v2Name))) dirs.set(c, unified);
    }
  }
  const hasV1 = v1Mounts.some((m) => m.controllers.length > 0);
  const mode = unified === undefined ? 'v1' : hasV1 ? 'hybrid' : 'v2';
  return { mode, dirs, unified };
}

function locateUnified(entries: readonly ProcCgroupEntry[], mounts: readonly CgroupMount[]): ControllerDir | undefined {
  const line = entries.find((e) => e.hierarchyId === 0);
  if (line === undefined) return undefined;
  const picked = pickMount(mounts.filter((m) => m.version === 2), line.path);
  if (picked === undefined) return undefined;
  return { version: 2, dir: picked.dir, mountPoint: picked.mount.mountPoint, path: line.path };
}

/** The cgroup's own directory, then each parent up to and including the mount point. */
export function ancestorDirs(cg: ControllerDir): string[] {
  const out = [cg.dir];
  let dir = cg.dir;
  while (dir !== cg.mountPoint && dir.length > cg.mountPoint.length) {
    const slash = dir.lastIndexOf('/');
    if (slash <= 0) break;
    dir = dir.slice(0, slash);
    out.push(dir);
  }
  return out;
}

/** True when the process sits in the hierarchy's root cgroup (it then sees the host's files). */
export function isRootCgroup(cg: ControllerDir): boolean {
  return cg.dir === cg.mountPoint || cg.path === '/';
}

/**
 * A ControllerDir for a directory known in advance (e.g. the collector walking
 * /sys/fs/cgroup/memory/docker/<id>), without going through /proc/<pid>/cgroup.
 */
export function controllerDir(version: 1 | 2, mountPoint: string, path: string): ControllerDir {
  const base = mountPoint.endsWith('/') ? mountPoint.slice(0, -1) : mountPoint;
  const rel = path === '/' ? '' : path;
  return { version, dir: `${base}${rel}`, mountPoint: base, path };
}
