import type { CgroupFs } from '../../core/cgroup';
import { readLink } from '../io/cached-fs';
import type { ProcPidGuard } from '../io/proc-pid';
import { readLinkSync } from '../io/proc-pid';

/** Pure: fields of /proc/<pid>/status we need. */
export function parseStatus(text: string): { ppid: number; nspid: number[] } | undefined {
  const ppid = /^PPid:\s*(\d+)/m.exec(text);
  const ns = /^NSpid:\s*([\d\s]+)$/m.exec(text);
  if (ppid === null) return undefined;
  const nspid = ns === null ? [] : (ns[1] ?? '').trim().split(/\s+/).map(Number);
  return { ppid: Number(ppid[1]), nspid };
}

/** Pure: field 22 (starttime, clock ticks since boot) of /proc/<pid>/stat. */
export function parseStartTicks(text: string): number | undefined {
  // comm (field 2) may contain spaces and parentheses: count fields after the last ')'.
  const close = text.lastIndexOf(')');
  if (close < 0) return undefined;
  const rest = text.slice(close + 2).split(' ');
  const v = rest[22 - 3];
  return v === undefined || !/^\d+$/.test(v) ? undefined : Number(v);
}

export interface ReaderIdentity {
  /** The pid whose cgroup answers for the reader: its pid namespace's init, like lxcfs. */
  readonly cgroupPid: number;
  /** The init of the reader's pid namespace (pid 1 of the host for host processes). */
  readonly initPid: number;
}

const MAX_WALK = 64;

/**
 * lxcfs answers for the init process of the reader's pid namespace, so every process of a
 * container gets the same view even if it moved itself to a sub-cgroup. Readers that share our
 * pid namespace (host processes, `docker run --pid=host`) are answered for themselves.
 * The namespace → init mapping is cached and re-validated by the init's namespace link, which
 * changes if the pid was reused.
 */
export class InitResolver {
  private readonly initByNs = new Map<string, number>();
  private ownNs: Promise<string | undefined> | undefined;

  constructor(
    private readonly fs: CgroupFs,
    private readonly procRoot = '/proc',
    private readonly guard?: ProcPidGuard,
  ) {}

  private link(path: string): string | undefined | Promise<string | undefined> {
    return this.guard?.allows(path) === true ? readLinkSync(path) : readLink(path);
  }

  /**
   * @param alive says synchronously whether a cached init is certainly still the same process
   *   (the caller holds a pinned descriptor of it); a live process cannot change its pid
   *   namespace, so its namespace link need not be read again.
   */
  async identify(pid: number, alive: (initPid: number) => boolean = () => false): Promise<ReaderIdentity> {
    this.ownNs ??= readLink(`${this.procRoot}/self/ns/pid`);
    const [own, ns] = await Promise.all([this.ownNs, this.link(`${this.procRoot}/${pid}/ns/pid`)]);
    if (ns === undefined || ns === own) return { cgroupPid: pid, initPid: 1 };
    const cached = this.initByNs.get(ns);
    if (cached !== undefined && (alive(cached) || (await this.link(`${this.procRoot}/${cached}/ns/pid`)) === ns)) {
      return { cgroupPid: cached, initPid: cached };
    }
    const init = await this.walkToInit(pid);
    if (init === undefined) return { cgroupPid: pid, initPid: pid };
    if (this.initByNs.size > 4096) this.initByNs.clear(); // bounded: stale namespaces are cheap to re-learn
    this.initByNs.set(ns, init);
    return { cgroupPid: init, initPid: init };
  }

  /** Follows PPid until the process that is pid 1 in its own namespace (last NSpid entry). */
  private async walkToInit(pid: number): Promise<number | undefined> {
    let cur = pid;
    for (let i = 0; i < MAX_WALK && cur > 0; i++) {
      const st = await this.fs.readText(`${this.procRoot}/${cur}/status`);
      if (!st.ok) return undefined;
      const s = parseStatus(st.text);
      if (s === undefined) return undefined;
      if (s.nspid.length > 1 && s.nspid[s.nspid.length - 1] === 1) return cur;
      cur = s.ppid;
    }
    return undefined;
  }
}
