import { open, readSync, statfs } from 'node:fs';

/**
 * Synchronous reads, allowed only for kernel-generated pseudo-files.
 *
 * Why the worker may read some files synchronously: a read of a procfs, sysfs or cgroupfs file
 * is answered by the kernel from memory (a seq_file show routine); it never waits for a disk, a
 * network or a userspace server. Doing those reads inline takes a render from ~10 libuv
 * threadpool round trips (each a thread wake-up and a hand-back to the event loop, which on two
 * busy cores cost more than the reads) to none.
 *
 * Why only those: a file on any other filesystem can block, and a file on a FUSE mount — ours
 * above all — would deadlock the worker, which is the only process that can answer it. The rule
 * "never make a blocking call on its own mount" stands. So every descriptor is opened
 * asynchronously, then its filesystem is identified by the statfs magic of the open file itself
 * (through /proc/self/fd/N, async too: on a FUSE file statfs asks the FUSE server). Checking
 * the descriptor rather than the path is exact: bind mounts over /proc/meminfo (lxcfs in the
 * shim's own namespace), symlinks or `..` cannot make a FUSE file pass for a pseudo-file.
 */

/** statfs f_type of procfs, sysfs, cgroup v1 and cgroup v2 (linux/magic.h). */
const PSEUDO_FS_MAGIC: ReadonlySet<number> = new Set([0x9fa0, 0x62656572, 0x27e0eb, 0x63677270]);

/** A descriptor and whether it may be read synchronously (it is on a pseudo-filesystem). */
export interface CheckedFd {
  readonly fd: number;
  readonly sync: boolean;
}

/** Asks the kernel which filesystem the open file is on; any doubt (error) means "not pseudo". */
export function onPseudoFs(fd: number): Promise<boolean> {
  return new Promise((resolve) => {
    statfs(`/proc/self/fd/${fd}`, (err, s) => resolve(err === null && PSEUDO_FS_MAGIC.has(Number(s.type))));
  });
}

/** Opens asynchronously and classifies the descriptor (see the module comment). */
export function openChecked(path: string): Promise<CheckedFd> {
  return new Promise((resolve, reject) => {
    open(path, 'r', (err, fd) => {
      if (err !== null) return reject(err);
      onPseudoFs(fd).then((sync) => resolve({ fd, sync }), reject);
    });
  });
}

const SYNC_BUF_BYTES = 64 * 1024;
/** One buffer for every synchronous read: they cannot overlap, and a render would otherwise allocate per file. */
const syncBuf = Buffer.allocUnsafe(SYNC_BUF_BYTES);

/**
 * pread at offset 0 to the end. Only for descriptors classified `sync` by openChecked: the
 * parameter type makes that check impossible to skip. Throws like readSync (ENODEV when the
 * cgroup was removed, ESRCH when a /proc/<pid> file's process exited).
 */
export function preadAllSync(f: CheckedFd & { readonly sync: true }): string {
  let n = readSync(f.fd, syncBuf, 0, SYNC_BUF_BYTES, 0);
  if (n < SYNC_BUF_BYTES) return syncBuf.toString('utf8', 0, n);
  const chunks = [Buffer.from(syncBuf)];
  let pos = n;
  while (n > 0) {
    n = readSync(f.fd, syncBuf, 0, SYNC_BUF_BYTES, pos);
    chunks.push(Buffer.from(syncBuf.subarray(0, n)));
    pos += n;
  }
  return Buffer.concat(chunks).toString('utf8');
}

/** Narrows a CheckedFd to the synchronous kind. */
export function isSync(f: CheckedFd): f is CheckedFd & { readonly sync: true } {
  return f.sync;
}
