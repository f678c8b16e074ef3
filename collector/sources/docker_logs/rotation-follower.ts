import { closeSync, watch, type FSWatcher } from 'node:fs';
import { stat } from 'node:fs/promises';
import { dirname } from 'node:path';
import type { TailerDeps } from './container-tailer';
import type { InOrderCommitter } from './delivery-tracker';
import { listSiblingsStable, type SiblingFile } from './file-identity';
import { FileHolder, type HeldFile } from './held-files';
import { afterRotation, overLimit } from './rotation';
import { openTailed, type TailedFile } from './tailed-file';

/**
 * How long a held successor waits for the file that may lie between it and the chain (from the hold
 * process, whose messages queue behind a busy main thread) before it is taken and the gap counted.
 * Waiting loses nothing — held files survive deletion — it only delays reading the newer ones.
 */
const HELD_GAP_WAIT_MS = 500;

/**
 * What the follower needs of its tailer. Functions rather than values where the tailer's state
 * changes under it (a pinned tailer's target and confirmation are replaced by discovery).
 */
export interface FollowedContainer {
  /** The tailer's open files, oldest first, shared with its read loop: rotations append to it. */
  readonly chain: TailedFile[];
  /** Given-up files are committed through it, so they stay in order with batches in flight. */
  readonly committer: InOrderCommitter;
  readonly pinned: boolean;
  id(): string;
  logPath(): string;
  isConfirmed(): boolean;
  /** Opens the live file and its rotated siblings, resuming from checkpoints. */
  openInitial(): Promise<void>;
  /** The container's log directory is gone: the tailer drains what it holds and ends. */
  markRemoved(): void;
  loss(reason: string, bytes: number, message: string): void;
  /** Ends the read loop's idle sleep. */
  wake(): void;
}

/**
 * Follows the container's live log path — its first appearance, rotations (rename and
 * copytruncate) and removal — so the tailer's read loop only reads the files it is handed.
 */
export class RotationFollower {
  private watcher: FSWatcher | undefined;
  private checking: Promise<void> | undefined;
  private recheck = false;
  private closedForGood = false;
  /** openInitial finished: live checks may run (they would race it otherwise). */
  private initialized = false;
  private checkTimer: NodeJS.Timeout | undefined;
  /** Successors opened in the watcher callback, before Docker can delete them. */
  private readonly holder: FileHolder;
  /** Since when the oldest held successor has waited for proof that nothing lies before it. */
  private unprovenSince: number | undefined;
  private proofTimer: NodeJS.Timeout | undefined;
  /** The hold process's watch of this container's directory, while checks run. */
  private holdToken: number | undefined;

  constructor(
    private readonly deps: TailerDeps,
    private readonly container: FollowedContainer,
  ) {
    const limit = deps.config.max_open_rotated_files;
    this.holder = new FileHolder(
      {
        wanted: (devIno, birthNs) => this.isSuccessor(devIno, birthNs),
        room: () => limit - this.holder.size - container.chain.filter((f) => f.sealed && !f.finished).length,
        full: () => container.loss('rotated_file_not_held', 0, 'a rotated log file was not held open: max_open_rotated_files reached'),
      },
      // Docker's max-file is at most what we would hold anyway; generations past it never exist.
      limit,
    );
  }

  /** Starts watching the directory, with the timer as safety net (or as the poll without inotify). */
  watch(): void {
    this.watchDirectory();
    this.checkTimer = setInterval(() => void this.requestLiveCheck(), this.idleWaitMs());
    this.checkTimer.unref();
  }

  /** The tailer opened its files: live checks may run now, starting with one at once. */
  enableChecks(): Promise<void> {
    this.initialized = true;
    this.watchOnHoldProcess();
    return this.requestLiveCheck();
  }

  /** From now on the hold process opens successors the moment a rename is reported; they reach `holder`. */
  private watchOnHoldProcess(): void {
    const holdProcess = this.deps.holdProcess;
    if (!holdProcess || this.closedForGood || this.holdToken !== undefined) return;
    const limit = this.deps.config.max_open_rotated_files;
    this.holdToken = holdProcess.watch(this.container.logPath(), limit, limit, (snapshot) => {
      if (!this.holding()) {
        // Not before the first file is open; its links are kept: the hold process reports each once.
        for (const f of snapshot.opened) closeSync(f.fd);
        this.holder.accept({ opened: [], adjacent: snapshot.adjacent });
        return;
      }
      this.holder.accept(snapshot);
      void this.requestLiveCheck(); // a file or a proof of adjacency a held successor may wait for
    });
  }

  /** Stops the periodic check; the watcher stays until close (a stopped tailer may still be closed). */
  stopTimer(): void {
    if (this.checkTimer) clearInterval(this.checkTimer);
    if (this.proofTimer) clearTimeout(this.proofTimer);
  }

  /** No more checks; waits for one under way, so it cannot open files after the tailer closed its own. */
  async close(): Promise<void> {
    this.closedForGood = true;
    this.stopTimer();
    await this.checking;
    this.watcher?.close();
    this.watcher = undefined;
    if (this.holdToken !== undefined) this.deps.holdProcess?.unwatch(this.holdToken);
    this.holdToken = undefined;
    this.holder.closeAll();
  }

  /**
   * With inotify watching the directory, appends and renames wake the loop at once and the timer
   * is only a safety net; without it, the timer is the poll. Fewer idle syscalls per tailer matter:
   * file I/O shares libuv's small thread pool with every other tailer.
   */
  idleWaitMs(): number {
    const poll = this.deps.config.poll_interval_ms;
    return this.watcher ? Math.max(poll, 1000) : poll;
  }

  /**
   * Rotation is followed outside the read loop: while the loop waits on backpressure (a slow
   * sink), Docker keeps rotating, and only files opened in time survive `max-file`. Checks run one
   * at a time; a request during a check runs one more after it.
   */
  requestLiveCheck(): Promise<void> {
    if (this.checking) {
      this.recheck = true;
      return this.checking;
    }
    this.checking = (async () => {
      // Yield first, so `finally` cannot clear `checking` before it was even assigned.
      await Promise.resolve();
      try {
        do {
          this.recheck = false;
          if (this.initialized && !this.closedForGood) await this.checkLive();
        } while (this.recheck);
      } catch (err) {
        this.deps.ctx.telemetry.error('log_file_check_failed');
        this.deps.ctx.logger.debug({ err, container: this.container.id() }, 'checking the live log file failed');
      } finally {
        this.checking = undefined;
      }
    })();
    return this.checking;
  }

  /** copytruncate: same inode, size below our position. What was written in between is gone. */
  async checkTruncated(file: TailedFile): Promise<boolean> {
    const size = Number((await file.fh.stat()).size);
    if (size >= file.readOffset) return false;
    this.container.loss('copytruncate', 0, 'log file truncated in place (copytruncate); reading it again from the start');
    if (file.key) this.deps.store.delete(file.key);
    file.identity = undefined;
    file.decoder = undefined;
    file.startAt = 0;
    file.readOffset = 0;
    file.committed = 0;
    return true;
  }

  /** Looks at the live path: first appearance, rotation, or removal of the container's logs. */
  private async checkLive(): Promise<void> {
    const { chain } = this.container;
    const path = this.container.logPath();
    const newest = chain[chain.length - 1];
    let st;
    try {
      st = await stat(path, { bigint: true });
    } catch {
      if (!(await exists(dirname(path)))) {
        this.container.markRemoved();
        if (newest) newest.sealed = true;
      }
      return;
    }
    if (!newest) {
      // First appearance: it may already have rotated (a fast writer), so take all its siblings.
      await this.container.openInitial();
      this.deps.ctx.logger.debug({ container: this.container.id(), files: chain.map((f) => f.devIno) }, 'log file appeared');
      return;
    }
    if (newest.sealed || (st.dev.toString() === newest.dev && st.ino.toString() === newest.ino)) return;
    await this.followRotation(newest);
  }

  /** Newer than the chain's newest file (by creation time) and not in the chain: a file to hold. */
  private isSuccessor(devIno: string, birthNs: bigint): boolean {
    const { chain } = this.container;
    const newest = chain[chain.length - 1];
    if (!newest || newest.sealed || chain.some((f) => f.devIno === devIno)) return false;
    return birthNs > newest.birthNs;
  }

  /** Holding needs creation times (statx btime) to order what it holds; without them, listing it is. */
  private holding(): boolean {
    const { chain } = this.container;
    const newest = chain[chain.length - 1];
    return this.initialized && !this.closedForGood && newest !== undefined && newest.birthNs > 0n;
  }

  /** Called synchronously from the watcher callback: every await here is time Docker may use to delete. */
  private grabNow(): void {
    if (!this.holding()) return;
    try {
      this.holder.grab(this.container.logPath());
    } catch (err) {
      this.deps.ctx.telemetry.error('log_file_hold_failed');
      this.deps.ctx.logger.debug({ err, container: this.container.id() }, 'holding rotated log files failed');
    }
  }

  private async followRotation(newest: TailedFile): Promise<void> {
    if (newest.birthNs > 0n) await this.followHeld(newest);
    else await this.followListing(newest);
  }

  /**
   * Takes the successors held since the last look (plus what is there now), in creation order.
   * A successor not proven to lie right behind its predecessor (a consistent snapshot showed them
   * adjacent) may have had a file between them: it waits up to HELD_GAP_WAIT_MS for the hold process
   * to deliver that file or the proof, then is taken anyway and the possible loss counted.
   */
  private async followHeld(newest: TailedFile): Promise<void> {
    this.grabNow();
    const force = this.unprovenSince !== undefined && Date.now() - this.unprovenSince >= HELD_GAP_WAIT_MS;
    const { files, gap, waiting } = await this.holder.take((h: HeldFile) => this.isSuccessor(h.devIno, h.birthNs), newest.devIno, force);
    if (waiting === 0) this.unprovenSince = undefined;
    else if (files.length > 0 || this.unprovenSince === undefined) this.waitForProof();
    if (files.length === 0) return; // nothing (provably) next yet: a later look retries
    if (gap) this.container.loss('rotated_file_lost', 0, 'a rotated log file may have been deleted before it could be held open');
    // Every file but the newest taken one is final; the newest is sealed by the next rotation seen.
    files.forEach((f, i) => (f.sealed = i < files.length - 1));
    this.appendToChain(newest, files);
    await this.enforceOpenLimit();
  }

  /** A held file waits for its link to the chain: look again when the wait is over. */
  private waitForProof(): void {
    this.unprovenSince = Date.now();
    if (this.proofTimer) clearTimeout(this.proofTimer);
    this.proofTimer = setTimeout(() => void this.requestLiveCheck(), HELD_GAP_WAIT_MS);
    this.proofTimer.unref();
  }

  private appendToChain(newest: TailedFile, opened: readonly TailedFile[]): void {
    const { chain } = this.container;
    newest.sealed = true;
    chain.push(...opened);
    this.deps.ctx.logger.debug({ container: this.container.id(), pinned: this.container.pinned, confirmed: this.container.isConfirmed(), chain: chain.map((f) => f.devIno + (f.finished ? 'F' : '') + (f.sealed ? 'S' : '')), opened: opened.map((f) => f.devIno) }, 'log rotated');
  }

  /** Without creation times: list the siblings and open what is newer than the current file. */
  private async followListing(newest: TailedFile): Promise<void> {
    const { chain } = this.container;
    const { siblings, stable } = await listSiblingsStable(this.container.logPath());
    const open = new Set(chain.map((f) => f.devIno));
    const decision = afterRotation(siblings.map((s) => ({ dev: s.dev, ino: s.ino, key: undefined })), newest, open);
    if (decision.maybeLost || !stable) this.container.loss('rotated_file_lost', 0, 'the file being read was rotated away before its successors were seen; some rotated files may be lost');
    const opened: TailedFile[] = [];
    for (const i of decision.open) {
      const s = siblings[i] as SiblingFile;
      const f = await openTailed(s.path, 0);
      // Renamed again between listing and opening: give up this look; the next poll retries.
      if (!f || f.devIno !== `${s.dev}:${s.ino}`) {
        await Promise.all([...opened, ...(f ? [f] : [])].map((o) => o.close()));
        return;
      }
      // Every file but the live one is already final.
      f.sealed = i < siblings.length - 1;
      opened.push(f);
    }
    this.appendToChain(newest, opened);
    await this.enforceOpenLimit();
  }

  /** Too many rotated files held open (we lag far behind): give up the oldest, counted as loss. */
  private async enforceOpenLimit(): Promise<void> {
    // A pinned tailer waits (about a second) for its identity: holding every file is what it is for.
    if (!this.container.isConfirmed()) return;
    const rotated = this.container.chain.filter((f) => f.sealed && !f.finished);
    const excess = overLimit(rotated.length, this.deps.config.max_open_rotated_files);
    for (const f of rotated.slice(0, excess)) {
      const size = Number((await f.fh.stat()).size);
      this.container.loss('rotated_file_given_up', size - f.readOffset, 'too many rotated log files held open; the oldest is given up');
      f.decoder?.reset(size);
      f.readOffset = size;
      f.finished = true;
      if (f.key) this.container.committer.track(Promise.resolve('delivered'), f.key, size, 0);
      else f.committed = size;
    }
  }

  /**
   * Docker rotates a busy log many times a second; polling alone could let a rotated file be
   * deleted before it is opened. inotify (fs.watch) on the container's directory makes the next
   * step look at the live path at once. Polling stays as the fallback.
   */
  private watchDirectory(): void {
    try {
      this.watcher = watch(dirname(this.container.logPath()), (event) => {
        // 'change' (IN_MODIFY/IN_ATTRIB) comes with every append: it only wakes the read loop. A
        // rotation renames and creates ('rename'); a copytruncate is seen by the read loop at EOF.
        // Looking at the live path on each append cost one stat(2) per write of the container.
        if (event === 'rename') {
          this.grabNow();
          void this.requestLiveCheck();
        }
        this.container.wake();
      });
      this.watcher.on('error', () => {
        this.watcher?.close();
        this.watcher = undefined;
      });
      this.watcher.unref();
    } catch {
      this.watcher = undefined; // no directory yet, or no inotify: polling covers it
    }
  }
}

async function exists(path: string): Promise<boolean> {
  try {
    await stat(path);
    return true;
  } catch {
    return false;
  }
}
