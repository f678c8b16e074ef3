import { closeSync, fstatSync, openSync, statSync } from 'node:fs';
import { openTailed, type TailedFile } from './tailed-file';

/** A log file opened synchronously in the watcher callback, held until the tailer takes it. */
export interface HeldFile {
  readonly fd: number;
  readonly path: string;
  readonly devIno: string;
  /** Creation time (statx btime): Docker creates each file as the live one, so this is its place in the chain. */
  readonly birthNs: bigint;
  /** Tie-break for equal birth times (the kernel's clock is coarse): order of first sight. */
  readonly seq: number;
}

/** What the holder asks its follower about a file it found. */
export interface HoldPolicy {
  /** Already in the tailer's chain, or not newer than its newest file: not a successor. */
  wanted(devIno: string, birthNs: bigint): boolean;
  /** How many more files may be held (max_open_rotated_files minus rotated files in the chain). */
  room(): number;
  /** A successor was found but the bound was hit: it is not held (counted by the caller). */
  full(): void;
}

/**
 * Docker renames and deletes rotated files faster than an async listing (thread-pool I/O behind
 * other tailers) reaches them at full speed. An open descriptor survives unlink, so the watcher
 * callback opens the live file and its `.1`…`.N` siblings synchronously, right when the rename
 * is reported, and the follower later takes its successors from here. Synchronous: a few
 * open(2)/fstat(2) calls per rotation on local files, and waiting for the thread pool is exactly
 * what loses files. Also remembers which file lay right behind which in a consistent snapshot,
 * so the follower can tell a proven-adjacent successor from a possible gap.
 */
export class FileHolder {
  private readonly held = new Map<string, HeldFile>();
  /** devIno → devIno of the file one generation older in a consistent snapshot. */
  private readonly olderOf = new Map<string, string>();
  private seq = 0;

  constructor(
    private readonly policy: HoldPolicy,
    private readonly maxGeneration: number,
  ) {}

  get size(): number {
    return this.held.size;
  }

  /** Opens and holds the successors present now, oldest first (the oldest are deleted first). */
  grab(livePath: string): void {
    const seen: { path: string; devIno: string }[] = [];
    for (let g = this.maxGeneration; g >= 0; g--) {
      const path = g === 0 ? livePath : `${livePath}.${g}`;
      let fd: number;
      try {
        fd = openSync(path, 'r');
      } catch {
        continue; // no such generation (yet), or renamed away under us
      }
      const st = fstatSync(fd, { bigint: true });
      const devIno = `${st.dev}:${st.ino}`;
      seen.push({ path, devIno });
      if (this.held.has(devIno) || !this.policy.wanted(devIno, st.birthtimeNs)) {
        closeSync(fd);
        continue;
      }
      if (this.policy.room() <= 0) {
        closeSync(fd);
        this.policy.full();
        continue;
      }
      this.held.set(devIno, { fd, path, devIno, birthNs: st.birthtimeNs, seq: this.seq++ });
    }
    this.recordAdjacency(seen);
  }

  private trimAdjacency(): void {
    // Bounded: only the last few snapshots' pairs matter.
    while (this.olderOf.size > 4 * (this.maxGeneration + 1)) this.olderOf.delete(this.olderOf.keys().next().value as string);
  }

  /**
   * A rename between two opens tears the snapshot (two files a generation apart look adjacent):
   * only when every path still names the inode it was opened as is the order proven.
   */
  private recordAdjacency(seen: readonly { path: string; devIno: string }[]): void {
    for (const s of seen) {
      try {
        const st = statSync(s.path, { bigint: true });
        if (`${st.dev}:${st.ino}` !== s.devIno) return;
      } catch {
        return;
      }
    }
    for (let i = 1; i < seen.length; i++) this.olderOf.set((seen[i] as { devIno: string }).devIno, (seen[i - 1] as { devIno: string }).devIno);
    this.trimAdjacency();
  }

  /** The file proven to lie right behind `devIno`, if a consistent snapshot showed one. */
  olderNeighbour(devIno: string): string | undefined {
    return this.olderOf.get(devIno);
  }

  /**
   * Hands over the held files newer than `birthNs` (oldest first), as tailed files reopened
   * through /proc/self/fd (which works after Docker unlinked them); closes the rest.
   */
  async take(isSuccessor: (h: HeldFile) => boolean): Promise<TailedFile[]> {
    const all = [...this.held.values()].sort((a, b) => (a.birthNs === b.birthNs ? a.seq - b.seq : a.birthNs < b.birthNs ? -1 : 1));
    this.held.clear();
    const out: TailedFile[] = [];
    for (const h of all) {
      if (isSuccessor(h)) {
        const f = await reopen(h);
        if (f) out.push(f);
      }
      closeSync(h.fd);
    }
    return out;
  }

  closeAll(): void {
    for (const h of this.held.values()) closeSync(h.fd);
    this.held.clear();
  }
}

/** A handle of our own on the held file (the held fd is closed by the caller). */
async function reopen(h: HeldFile): Promise<TailedFile | undefined> {
  const f = await openTailed(`/proc/self/fd/${h.fd}`, 0);
  if (!f) return undefined;
  if (f.devIno !== h.devIno) {
    await f.close();
    return undefined;
  }
  f.path = h.path;
  f.birthNs = h.birthNs;
  return f;
}

/** Whether the platform reports creation times (statx btime); without them, holding is off. */
export function hasBirthTimes(path: string): boolean {
  try {
    return statSync(path, { bigint: true }).birthtimeNs > 0n;
  } catch {
    return false;
  }
}
