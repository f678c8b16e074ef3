import { closeSync, fstatSync, openSync, statSync } from 'node:fs';
import { openTailed, type TailedFile } from './tailed-file';

/** A log file opened where it lay in a snapshot of the live path and its rotated siblings. */
export interface OpenedFile {
  readonly fd: number;
  /** The path it was opened at (its name when first seen). */
  readonly path: string;
  readonly devIno: string;
  /** Creation time (statx btime): Docker creates each file as the live one, so this is its place in the chain. */
  readonly birthNs: bigint;
}

/** A log file opened synchronously in the watcher callback, held until the tailer takes it. */
export interface HeldFile extends OpenedFile {
  /** Tie-break for equal birth times (the kernel's clock is coarse): order of first sight. */
  readonly seq: number;
}

/** What `take` handed over, whether a file may be missing from before one of them, and what is still held. */
export interface Taken {
  readonly files: TailedFile[];
  readonly gap: boolean;
  readonly waiting: number;
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

/** What one look at `.N`…live found: the files it kept open, and which lay right behind which. */
export interface Snapshot {
  readonly opened: OpenedFile[];
  /** [newer, older] devIno pairs, only from a consistent look (no rename in between). */
  readonly adjacent: [string, string][];
}

/**
 * Opens generations `.maxGeneration`…live, oldest first (the oldest are deleted first), keeping
 * open what `keep` accepts and closing the rest. A rename between two opens tears the look (two
 * files a generation apart seem adjacent): adjacency is reported only when every path still names
 * the inode it was opened as. Synchronous on purpose: waiting for the thread pool is what loses files.
 */
export function openGenerations(livePath: string, maxGeneration: number, keep: (file: OpenedFile) => boolean): Snapshot {
  const seen: { path: string; devIno: string }[] = [];
  const opened: OpenedFile[] = [];
  for (let g = maxGeneration; g >= 0; g--) {
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
    const file: OpenedFile = { fd, path, devIno, birthNs: st.birthtimeNs };
    if (keep(file)) opened.push(file);
    else closeSync(fd);
  }
  return { opened, adjacent: isConsistent(seen) ? adjacentPairs(seen) : [] };
}

function isConsistent(seen: readonly { path: string; devIno: string }[]): boolean {
  for (const s of seen) {
    try {
      const st = statSync(s.path, { bigint: true });
      if (`${st.dev}:${st.ino}` !== s.devIno) return false;
    } catch {
      return false;
    }
  }
  return true;
}

function adjacentPairs(seen: readonly { devIno: string }[]): [string, string][] {
  const pairs: [string, string][] = [];
  for (let i = 1; i < seen.length; i++) pairs.push([(seen[i] as { devIno: string }).devIno, (seen[i - 1] as { devIno: string }).devIno]);
  return pairs;
}

/**
 * Docker renames and deletes rotated files faster than an async listing (thread-pool I/O behind
 * other tailers) reaches them at full speed. An open descriptor survives unlink, so the files are
 * opened the moment a rename is reported — by the hold process (hold-process.ts), which a busy
 * collector cannot delay, and again by the watcher callback here — and the follower later
 * takes its successors from this holder. Also remembers which file lay right behind which in a
 * consistent snapshot, so the follower can tell a proven-adjacent successor from a possible gap.
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

  /** Opens and holds the successors present now. */
  grab(livePath: string): void {
    // Held as each is opened, so the bound counts the ones before it in the same look.
    const snapshot = openGenerations(livePath, this.maxGeneration, (f) => this.mayHold(f.devIno, f.birthNs) && this.hold(f));
    this.recordAdjacency(snapshot.adjacent);
  }

  /**
   * Files the hold process opened (its own look, taken while this thread was busy), as descriptors
   * of our own: held like ours, or closed when they are no successor or the bound is hit.
   */
  accept(snapshot: Snapshot): void {
    for (const f of snapshot.opened) {
      if (this.mayHold(f.devIno, f.birthNs)) this.hold(f);
      else closeSync(f.fd);
    }
    this.recordAdjacency(snapshot.adjacent);
  }

  private mayHold(devIno: string, birthNs: bigint): boolean {
    if (this.held.has(devIno) || !this.policy.wanted(devIno, birthNs)) return false;
    if (this.policy.room() > 0) return true;
    this.policy.full();
    return false;
  }

  private hold(f: OpenedFile): true {
    this.held.set(f.devIno, { ...f, seq: this.seq++ });
    return true;
  }

  private recordAdjacency(pairs: readonly [string, string][]): void {
    for (const [newer, older] of pairs) {
      this.olderOf.delete(newer); // re-inserted as the newest entry, so trimming drops the stalest
      this.olderOf.set(newer, older);
    }
    // Bounded: only the last few snapshots' pairs matter.
    while (this.olderOf.size > 4 * (this.maxGeneration + 1)) this.olderOf.delete(this.olderOf.keys().next().value as string);
  }

  /** The file proven to lie right behind `devIno`, if a consistent snapshot showed one. */
  olderNeighbour(devIno: string): string | undefined {
    return this.olderOf.get(devIno);
  }

  /**
   * Hands over held successors oldest first, as tailed files reopened through /proc/self/fd (which
   * works after Docker unlinked them), and closes files that are no successor. Unless `force`, only
   * the run proven adjacent, starting right behind `after`, is handed over: a file missing from
   * between may still be on its way from the hold process, and once a newer file is in the chain a
   * late one could never join it. What stays held is counted in `waiting`.
   */
  async take(isSuccessor: (h: HeldFile) => boolean, after: string | undefined, force: boolean): Promise<Taken> {
    // Creation order, with order of first sight for equal birth times (the kernel's clock is coarse).
    const pending = [...this.held.values()].sort((a, b) => (a.birthNs === b.birthNs ? a.seq - b.seq : a.birthNs < b.birthNs ? -1 : 1));
    for (const h of pending.filter((p) => !isSuccessor(p))) {
      this.release(h);
      pending.splice(pending.indexOf(h), 1);
    }
    const files: TailedFile[] = [];
    let previous = after;
    let gap = false;
    while (pending.length > 0) {
      // The proven link decides first: it also orders files whose birth times tie.
      let i = pending.findIndex((h) => previous !== undefined && this.olderOf.get(h.devIno) === previous);
      if (i < 0 && !force) break; // the file before the next one may still be on its way
      gap ||= i < 0;
      if (i < 0) i = 0;
      const [h] = pending.splice(i, 1) as [HeldFile];
      const f = await reopen(h);
      this.release(h);
      if (f) files.push(f);
      else gap = true;
      previous = h.devIno;
    }
    return { files, gap, waiting: this.held.size };
  }

  private release(h: HeldFile): void {
    this.held.delete(h.devIno);
    closeSync(h.fd);
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
