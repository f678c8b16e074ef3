import { closeSync, openSync, readlinkSync } from 'node:fs';
import { readFile } from 'node:fs/promises';

import type { FileRead } from '../../core/cgroup';
import { problemFromError } from '../../core/cgroup';
import type { CheckedFd } from './pseudo-fs';
import { preadAllSync } from './pseudo-fs';

/** Per-process files: /proc/<pid>/…, /proc/self/…, /proc/thread-self/…. */
const PER_PROCESS = /^\/proc\/(?:\d+|self|thread-self)\//;

/**
 * Pure: whether, by this mount table, every /proc/<pid>/… path resolves on procfs alone — /proc
 * is a procfs mount and nothing is mounted on or below any per-process directory. Then opening,
 * reading or readlink-ing those paths never reaches a FUSE server (ours or another), so it may
 * be done synchronously. Mounts over /proc/meminfo and friends (lxcfs-style, even of our own
 * files) do not matter here: those paths are not per-process and keep the checked path.
 */
export function perProcessProcIsPlain(mountinfo: string): boolean {
  let procfs = false;
  for (const line of mountinfo.split('\n')) {
    const f = line.split(' ');
    const mountPoint = f[4];
    if (mountPoint === undefined) continue;
    const dash = f.indexOf('-');
    if (mountPoint === '/proc') procfs = dash > 0 && f[dash + 1] === 'proc';
    else if (PER_PROCESS.test(`${mountPoint}/`)) return false;
  }
  return procfs;
}

const RECHECK_MS = 5000;

/**
 * Decides per path whether a per-process /proc file may be handled synchronously, from the
 * mount table (re-read every 5 s, asynchronously). Until the first check, and whenever the check
 * fails, nothing is synchronous. A mount placed below /proc/<pid>/ between two checks would make
 * the next synchronous call on it wait for that filesystem: no container runtime or lxcfs-style
 * tool mounts there, and the other serving threads keep answering our own mount meanwhile.
 */
export class ProcPidGuard {
  private plain = false;
  private timer: NodeJS.Timeout | undefined;

  allows(path: string): boolean {
    return this.plain && PER_PROCESS.test(path);
  }

  async check(): Promise<void> {
    try {
      this.plain = perProcessProcIsPlain(await readFile('/proc/self/mountinfo', 'utf8'));
    } catch {
      this.plain = false;
    }
  }

  start(): Promise<void> {
    if (this.timer === undefined) {
      this.timer = setInterval(() => void this.check(), RECHECK_MS);
      this.timer.unref();
    }
    return this.check();
  }

  stop(): void {
    if (this.timer !== undefined) clearInterval(this.timer);
    this.timer = undefined;
  }
}

/** open + read + close, synchronously; only for paths the guard allows. */
export function readProcSync(path: string): FileRead {
  let fd: number;
  try {
    fd = openSync(path, 'r');
  } catch (err) {
    return { ok: false, problem: problemFromError(path, err) };
  }
  try {
    return { ok: true, text: preadAllSync({ fd, sync: true }) };
  } catch (err) {
    return { ok: false, problem: problemFromError(path, err) };
  } finally {
    closeSync(fd);
  }
}

export function readLinkSync(path: string): string | undefined {
  try {
    return readlinkSync(path);
  } catch {
    return undefined;
  }
}

/** A descriptor of a per-process file, opened synchronously (the guard vouched for procfs). */
export function openProcSync(path: string): CheckedFd {
  return { fd: openSync(path, 'r'), sync: true };
}
