import { close, open, read, readdir, readlink } from 'node:fs';

import type { CgroupFs, FileRead, Result } from '../../core/cgroup';
import { problemFromError } from '../../core/cgroup';

const BUF_BYTES = 64 * 1024;

/**
 * A CgroupFs that keeps descriptors of cgroup and /proc files open and re-reads them with
 * pread at offset 0. Those files are seq_files: a read at offset 0 regenerates the content, so a
 * kept descriptor is as fresh as a new one and saves the open/close round trips through the libuv
 * threadpool that dominate a render. /proc/<pid>/… files are never cached (pids are reused).
 * A descriptor whose cgroup was removed fails with ENODEV; it is then dropped and the path
 * opened again once, which reports the removal as `missing`.
 */
export class CachedFdFs implements CgroupFs {
  private readonly fds = new Map<string, Promise<number>>();

  constructor(private readonly maxFds = 2048) {}

  readText(path: string): Promise<FileRead> {
    if (!this.cacheable(path)) return readOnce(path);
    return this.readCached(path, true);
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
    const fds = [...this.fds.values()];
    this.fds.clear();
    await Promise.all(fds.map(async (p) => p.then((fd) => closeFd(fd), () => undefined)));
  }

  private cacheable(path: string): boolean {
    return !/^\/proc\/\d+\//.test(path) && !path.startsWith('/proc/self/');
  }

  private async readCached(path: string, retry: boolean): Promise<FileRead> {
    let fdp = this.fds.get(path);
    if (fdp === undefined) {
      fdp = openFd(path);
      this.remember(path, fdp);
    }
    let fd: number;
    try {
      fd = await fdp;
    } catch (err) {
      this.fds.delete(path);
      return { ok: false, problem: problemFromError(path, err) };
    }
    try {
      return { ok: true, text: await preadAll(fd) };
    } catch (err) {
      if (this.fds.get(path) === fdp) this.fds.delete(path);
      closeFd(fd);
      return retry ? this.readCached(path, false) : { ok: false, problem: problemFromError(path, err) };
    }
  }

  private remember(path: string, fdp: Promise<number>): void {
    if (this.fds.size >= this.maxFds) {
      // Evict the oldest insertion; Map iteration order is insertion order.
      const [oldPath, oldFd] = this.fds.entries().next().value as [string, Promise<number>];
      this.fds.delete(oldPath);
      oldFd.then(closeFd, () => undefined);
    }
    this.fds.set(path, fdp);
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
