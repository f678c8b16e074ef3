import type { CgroupLocation, CgroupResolver } from '../../core/cgroup';
import { closeFd, preadAll } from '../io/cached-fs';
import type { ProcPidGuard } from '../io/proc-pid';
import { openProcSync } from '../io/proc-pid';
import type { CheckedFd } from '../io/pseudo-fs';
import { isSync, openChecked, preadAllSync } from '../io/pseudo-fs';
import type { InitResolver, ReaderIdentity } from './process';

/** The cgroup location of one answering process (a container's init, or a host reader itself). */
interface Base {
  readonly loc: CgroupLocation;
  /** The /proc/<pid>/cgroup text the location came from: equal text, equal location. */
  readonly text: string;
  /** Pinned /proc/<pid>/cgroup: reads nothing once that process is gone, even if the pid is reused. */
  readonly fd: CheckedFd;
}

/** A reader seen before, and what it resolved to. */
interface Reader {
  readonly who: ReaderIdentity;
  /** Pinned /proc/<reader>/stat, once the reader came back (readers that read once pin nothing). */
  fd: CheckedFd | undefined;
  pinning: boolean;
}

export interface Located {
  readonly who: ReaderIdentity;
  readonly loc: CgroupLocation;
}

/** Bounds of both caches; each entry holds one descriptor. Overflow empties the cache. */
const MAX_ENTRIES = 1024;

/**
 * Resolves a reader's pid to the cgroup location that answers for it, reusing earlier work:
 * - per answering process (a container's init): its location, revalidated per request by one
 *   synchronous read of a pinned /proc/<init>/cgroup descriptor — a new short-lived reader in a
 *   known container then costs one readlink of its pid namespace, nothing else;
 * - per reader that reads more than once: a pinned /proc/<reader>/stat proving it is still the
 *   same process, so a reader in a loop costs two synchronous reads and no threadpool work.
 * A descriptor of /proc/<pid>/… keeps referring to the process it was opened for; once it exits
 * reads fail or return nothing even if the pid is reused, so a stale entry is never trusted.
 */
export class LocationCache {
  private readonly bases = new Map<number, Base>();
  private readonly readers = new Map<number, Reader>();

  constructor(
    private readonly inits: InitResolver,
    private readonly resolver: CgroupResolver,
    private readonly procRoot: string,
    private readonly guard?: ProcPidGuard,
  ) {}

  /** Pins a per-process file: synchronously when the guard vouches for procfs, else checked. */
  private pin(path: string): Promise<CheckedFd> {
    if (this.guard?.allows(path) !== true) return openChecked(path);
    try {
      return Promise.resolve(openProcSync(path));
    } catch (err) {
      return Promise.reject(err instanceof Error ? err : new Error(String(err)));
    }
  }

  /** undefined: the reader could not be located (serve the host file). */
  async locate(pid: number): Promise<Located | undefined> {
    const r = this.readers.get(pid);
    if (r !== undefined && (r.fd !== undefined || pid === r.who.cgroupPid)) {
      const base = this.validBase(r.who.cgroupPid);
      if (base !== undefined && (r.fd === undefined || (await readPinned(r.fd)) !== '')) return { who: r.who, loc: base.loc };
      this.forgetReader(pid);
    }
    const who = await this.inits.identify(pid, (init) => this.validBase(init) !== undefined);
    const base = this.validBase(who.cgroupPid) ?? (await this.resolveBase(who.cgroupPid));
    if (base === undefined) return undefined;
    this.remember(pid, who, r !== undefined);
    return { who, loc: base.loc };
  }

  /**
   * locate()'s fast path alone, synchronous: a reader seen before whose pinned descriptors
   * read synchronously and still prove it the same process in the same cgroup. undefined
   * whenever anything would need waiting or changing: the caller then uses locate().
   */
  locateKnown(pid: number): Located | undefined {
    const r = this.readers.get(pid);
    if (r === undefined) return undefined;
    if (r.fd === undefined ? pid !== r.who.cgroupPid : !isSync(r.fd) || readPinnedSync(r.fd) === '') return undefined;
    const b = this.bases.get(r.who.cgroupPid);
    if (b === undefined || !isSync(b.fd) || readPinnedSync(b.fd) !== b.text) return undefined;
    return { who: r.who, loc: b.loc };
  }

  /** Closes every pinned descriptor (worker shutdown). */
  close(): void {
    for (const pid of [...this.readers.keys()]) this.forgetReader(pid);
    for (const pid of [...this.bases.keys()]) this.forgetBase(pid);
  }

  private validBase(pid: number): Base | undefined {
    const b = this.bases.get(pid);
    if (b === undefined) return undefined;
    if (isSync(b.fd) && readPinnedSync(b.fd) === b.text) return b;
    if (!isSync(b.fd)) return undefined; // not a pseudo-file: never trusted without a fresh read
    this.forgetBase(pid);
    return undefined;
  }

  private async resolveBase(pid: number): Promise<Base | { loc: CgroupLocation } | undefined> {
    const [loc, fd] = await Promise.all([
      this.resolver.locateWithText(pid),
      this.pin(`${this.procRoot}/${pid}/cgroup`).catch(() => undefined),
    ]);
    if (!loc.ok) {
      if (fd !== undefined) closeFd(fd.fd);
      return undefined;
    }
    // Without a pinned descriptor the location cannot be revalidated: use it once, keep nothing.
    if (fd === undefined) return { loc: loc.value.location };
    if (this.bases.size >= MAX_ENTRIES) for (const p of [...this.bases.keys()]) this.forgetBase(p);
    const base: Base = { loc: loc.value.location, text: loc.value.text, fd };
    this.forgetBase(pid);
    this.bases.set(pid, base);
    return base;
  }

  /** A reader seen for the second time gets its /proc/<pid>/stat pinned, off the request's path. */
  private remember(pid: number, who: ReaderIdentity, seenBefore: boolean): void {
    if (this.readers.size >= MAX_ENTRIES) for (const p of [...this.readers.keys()]) this.forgetReader(p);
    const r: Reader = this.readers.get(pid) ?? { who, fd: undefined, pinning: false };
    this.readers.set(pid, r);
    if (!seenBefore || pid === who.cgroupPid || r.pinning || r.fd !== undefined) return;
    r.pinning = true;
    this.pin(`${this.procRoot}/${pid}/stat`).then(
      (fd) => {
        if (this.readers.get(pid) === r) r.fd = fd;
        else closeFd(fd.fd);
      },
      () => this.forgetReader(pid),
    );
  }

  private forgetReader(pid: number): void {
    const r = this.readers.get(pid);
    this.readers.delete(pid);
    if (r?.fd !== undefined) closeFd(r.fd.fd);
  }

  private forgetBase(pid: number): void {
    const b = this.bases.get(pid);
    this.bases.delete(pid);
    if (b !== undefined) closeFd(b.fd.fd);
  }
}

function readPinnedSync(f: CheckedFd & { readonly sync: true }): string {
  try {
    return preadAllSync(f);
  } catch {
    return '';
  }
}

/** A pinned /proc descriptor's text; '' once its process is gone (reads fail or return nothing). */
function readPinned(f: CheckedFd): string | Promise<string> {
  return isSync(f) ? readPinnedSync(f) : preadAll(f.fd).catch(() => '');
}
