import { close, open, read, readdir, readlink } from 'node:fs';

import type { CgroupFs, FileRead, Result } from '../../core/cgroup';
import { problemFromError } from '../../core/cgroup';
import type { ProcPidGuard } from './proc-pid';
import { readProcSync } from './proc-pid';
import type { CheckedFd } from './pseudo-fs';
import { isSync, openChecked, preadAllSync } from './pseudo-fs';

const BUF_BYTES = 64 * 1024;

interface Kept {
  readonly pending: Promise<CheckedFd>;
  /** Set once the open (and the filesystem check) finished: the synchronous fast path. */
  ready: CheckedFd | undefined;
}

/**
 * A CgroupFs that keeps descriptors of cgroup and /proc files open and re-reads them with
 * pread at offset 0. Those files are seq_files: a read at offset 0 regenerates the content, so a
 * kept descriptor is as fresh as a new one and saves the open/close round trips through the libuv
 * threadpool. Descriptors on procfs/sysfs/cgroupfs are then read synchronously (see pseudo-fs.ts
 * for why that is safe and how other filesystems are kept out); a render then finishes within one
 * turn of the event loop. /proc/<pid>/… files are never cached (pids are reused).
 * A descriptor whose cgroup was removed fails with ENODEV; it is then dropped and the path
 * opened again once, which reports the removal as `missing`.
 */
export class CachedFdFs implements CgroupFs {
  private readonly fds = new Map<string, Kept>();

  /** @param guard allows per-process /proc files to be read synchronously (see proc-pid.ts). */
  constructor(
    private readonly maxFds = 2048,
    private readonly guard?: ProcPidGuard,
  ) {}

  readText(path: string): Promise<FileRead> {
    if (!this.cacheable(path)) return this.guard?.allows(path) === true ? Promise.resolve(readProcSync(path)) : readOnce(path);
    const ready = this.fds.get(path)?.ready;
    if (ready !== undefined && isSync(ready)) {
      try {
        return Promise.resolve({ ok: true, text: preadAllSync(ready) });
      } catch {
        this.drop(path);
        return this.readCached(path, false);
      }
    }
    return this.readCached(path, true);
  }

  /**
   * The file's text if it can be had without waiting: a kept descriptor on a pseudo-filesystem,
   * or a per-process file the guard vouches for. undefined otherwise (use readText), and also
   * when a kept descriptor failed: readText then reopens it and reports what happened.
   */
  readTextNow(path: string): FileRead | undefined {
    if (!this.cacheable(path)) return this.guard?.allows(path) === true ? readProcSync(path) : undefined;
    const ready = this.fds.get(path)?.ready;
    if (ready === undefined || !isSync(ready)) return undefined;
    try {
      return { ok: true, text: preadAllSync(ready) };
    } catch {
      return undefined;
    }
  }

  listSubdirs(path: string): Promise<Result<readonly string[]>> {
    return new Promise((resolve) => {
      readdir(path, { withFileTypes: true }, (err, entries) => resolve(err
        ? { ok: false, problem: problemFromError(path, err) }
        : { ok: true, value: entries.filter((e) => e.isDirectory()).map((e) => e.name) }));
    });
  }

  /** Closes every kept descriptor (shutdown). */
  async closeAll(): Promise<void> {
    const kept = [...this.fds.values()];
    this.fds.clear();
    await Promise.all(kept.map(async (k) => k.pending.then((f) => closeFd(f.fd), () => undefined)));
  }

  private cacheable(path: string): boolean {
    return !/^\/proc\/\d+\//.test(path) && !path.startsWith('/proc/self/');
  }

  private drop(path: string, only?: Kept): void {
    const k = this.fds.get(path);
    if (k === undefined || (only !== undefined && k !== only)) return;
    this.fds.delete(path);
    k.pending.then((f) => closeFd(f.fd), () => undefined);
  }

  private async readCached(path: string, retry: boolean): Promise<FileRead> {
    let kept = this.fds.get(path);
    if (kept === undefined) {
      const k: Kept = { pending: openChecked(path), ready: undefined };
      k.pending.then((f) => (k.ready = f), () => undefined);
      this.remember(path, k);
      kept = k;
    }
    let f: CheckedFd;
    try {
      f = await kept.pending;
    } catch (err) {
      if (this.fds.get(path) === kept) this.fds.delete(path);
      return { ok: false, problem: problemFromError(path, err) };
    }
    try {
      return { ok: true, text: isSync(f) ? preadAllSync(f) : await preadAll(f.fd) };
    } catch (err) {
      this.drop(path, kept);
      return retry ? this.readCached(path, false) : { ok: false, problem: problemFromError(path, err) };
    }
  }

  private remember(path: string, kept: Kept): void {
    if (this.fds.size >= this.maxFds) {
      // Evict the oldest insertion; Map iteration order is insertion order.
      const oldest = this.fds.keys().next().value as string;
      this.drop(oldest);
    }
    this.fds.set(path, kept);
  }
}

export function openFd(path: string): Promise<number> {
  return new Promise((resolve, reject) => open(path, 'r', (err, fd) => (err ? reject(err) : resolve(fd))));
}

export function closeFd(fd: number): void {
  close(fd, () => undefined);
}

function preadAt(fd: number, buf: Buffer, pos: number): Promise<number> {
  return new Promise((resolve, reject) => read(fd, buf, 0, buf.length, pos, (err, n) => (err ? reject(err) : resolve(n))));
}

/** One pread in the common case; the file is read on from where it stopped only if it fills the buffer. */
export async function preadAll(fd: number): Promise<string> {
  const first = Buffer.allocUnsafe(BUF_BYTES);
  let n = await preadAt(fd, first, 0);
  if (n < BUF_BYTES) return first.toString('utf8', 0, n);
  const chunks = [first];
  let pos = n;
  while (n > 0) {
    const b = Buffer.allocUnsafe(BUF_BYTES);
    n = await preadAt(fd, b, pos);
    chunks.push(b.subarray(0, n));
    pos += n;
  }
  return Buffer.concat(chunks).toString('utf8');
}

/** open + read + close for files that must not be cached. */
async function readOnce(path: string): Promise<FileRead> {
  let fd: number;
  try {
    fd = await openFd(path);
  } catch (err) {
    return { ok: false, problem: problemFromError(path, err) };
  }
  try {
    return { ok: true, text: await preadAll(fd) };
  } catch (err) {
    return { ok: false, problem: problemFromError(path, err) };
  } finally {
    closeFd(fd);
  }
}

export function readLink(path: string): Promise<string | undefined> {
  return new Promise((resolve) => readlink(path, (err, target) => resolve(err ? undefined : target)));
}
