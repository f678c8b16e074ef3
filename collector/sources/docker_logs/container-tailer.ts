import { Ack } from '../../../core/event';
import { PackedLogBatch } from '../../../core/transport/log-codec';
import type { ConcurrencyLimit } from '../../../core/delivery/concurrency';
import type { SourceContext } from '../../../core/component/types';
import { batchCheckpoints } from './batcher';
import type { CheckpointStore, FileCheckpoint } from './checkpoint-store';
import type { DockerLogsSourceConfig } from './config';
import { InOrderCommitter, type ByteBudget } from './delivery-tracker';
import { FileDecoder, type DecodeCounts, type DecodedBatch } from './file-decoder';
import { listSiblings, readIdentity } from './file-identity';
import { containerBirth } from './container-dir';
import type { MultilineOptions } from './multiline';
import { maybeLostBeforeFirstSight, planResume } from './rotation';
import { RotationFollower } from './rotation-follower';
import type { TailedFile } from './tailed-file';
import { lastLineEnd, openTailed } from './tailed-file';
import type { LogTarget } from './targets';
import type { HoldProcess } from './hold-process';
import type { ReadBuffers } from './read-buffers';

export interface TailerDeps {
  readonly ctx: SourceContext;
  readonly config: DockerLogsSourceConfig;
  readonly store: CheckpointStore;
  readonly budget: ByteBudget;
  readonly multiline: MultilineOptions | undefined;
  /** Bounds how many tailers resolve their files at once (a burst at start on a busy node). */
  readonly openLimit: ConcurrencyLimit;
  /** When the source started (epoch ms): containers born later are wholly ours to ship. */
  readonly sourceStartedAtMs: number;
  /** The read buffers all tailers share (memory bounded by bytes, not by container count). */
  readonly readBuffers: ReadBuffers;
  /** Opens rotated files off the main thread as they appear; without it, the watcher callback alone does. */
  readonly holdProcess?: HoldProcess;
}

/**
 * Tails one container's json-file log and its rotated predecessors, in order: the oldest open
 * file is read to its end before the next one. One loop per container; one read(2) per chunk, one
 * emit per batch, one promise per batch for its ack — nothing per line. Watching the live path
 * for rotation is the RotationFollower's job, so it keeps up while this loop waits on backpressure.
 */
export class ContainerTailer {
  private readonly chain: TailedFile[] = [];
  private readonly committer: InOrderCommitter;
  private stopped = false;
  private running = true;
  /** The container's log directory is gone (container removed): drain and forget it. */
  private removed = false;
  private rereadRequested = false;
  private lastLiveCheck = 0;
  private wakeSleeper: (() => void) | undefined;
  private loop: Promise<void> | undefined;
  private readonly rotation: RotationFollower;
  /** Identity known: reading may start. A pinned tailer only holds files open until then. */
  private confirmed: boolean;
  private multiline: MultilineOptions | undefined;
  readonly pinnedAtMs: number;

  constructor(
    public target: LogTarget,
    private readonly deps: TailerDeps,
    /** Opened on the container directory's creation, before discovery knew the container. */
    readonly pinned = false,
    /** Opens its files before the queued ones: a brand-new container's files rotate away fastest. */
    private readonly urgent = pinned,
  ) {
    this.confirmed = !pinned;
    this.multiline = deps.multiline;
    this.pinnedAtMs = Date.now();
    this.committer = new InOrderCommitter(deps.budget, {
      commit: (key, offset) => this.commit(key, offset),
      failed: () => {
        this.rereadRequested = true;
        this.wake();
      },
    });
    this.rotation = new RotationFollower(deps, {
      chain: this.chain,
      committer: this.committer,
      pinned,
      id: () => this.id,
      logPath: () => this.target.logPath,
      isConfirmed: () => this.confirmed,
      openInitial: () => this.openInitial(),
      markRemoved: () => {
        this.removed = true;
      },
      loss: (reason, bytes, message) => this.loss(reason, bytes, message),
      wake: () => this.wake(),
    });
  }

  get id(): string {
    return this.target.identity.id;
  }

  /** Resolves when the loop ended (stopped, or the container's logs are drained for good). */
  get finished(): Promise<void> {
    return this.loop ?? Promise.resolve();
  }

  start(): void {
    this.loop ??= this.run().catch((err: unknown) => {
      this.deps.ctx.telemetry.error('tailer_failed');
      this.deps.ctx.logger.error({ err, container: this.id }, 'log tailer stopped on an unexpected error');
    });
  }

  get isConfirmed(): boolean {
    return this.confirmed;
  }

  /** Discovery caught up with a pinned tailer: the real identity and options; reading starts. */
  confirm(target: LogTarget, multiline: MultilineOptions | undefined): void {
    this.target = target;
    this.multiline = multiline;
    this.confirmed = true;
    this.wake();
  }

  setRunning(running: boolean): void {
    this.running = running;
    if (running) this.wake();
  }

  async stop(): Promise<void> {
    this.stopped = true;
    this.wake();
    await this.finished;
  }

  /** Resolves when every emitted batch settled (or at once). */
  idle(): Promise<void> {
    return this.committer.idle();
  }

  async close(): Promise<void> {
    await this.rotation.close();
    this.committer.abandon();
    await Promise.all(this.chain.map((f) => f.close()));
  }

  private async run(): Promise<void> {
    this.rotation.watch();
    if (this.urgent) await this.openInitial();
    else await this.deps.openLimit.run(() => this.openInitial());
    // Anything that happened while the files were being opened is looked at now.
    await this.rotation.enableChecks();
    while (!this.stopped) {
      if (this.rereadRequested) this.rewind();
      if (this.deps.budget.full) {
        await this.deps.budget.available();
        continue;
      }
      const progressed = await this.step();
      if (progressed) continue;
      if (this.canEnd()) break;
      await this.sleep(this.rotation.idleWaitMs());
    }
    // A stopped tailer is closed by the source once its acks settled (so their commits still land).
    if (this.stopped) {
      this.rotation.stopTimer();
      return;
    }
    await this.close();
    if (this.removed) this.deps.store.removeContainer(this.id);
  }

  /** One read, or one state change; false when there was nothing to do. */
  private async step(): Promise<boolean> {
    const now = Date.now();
    if (now - this.lastLiveCheck >= this.rotation.idleWaitMs()) {
      this.lastLiveCheck = now;
      await this.rotation.requestLiveCheck();
    }
    await this.closeDrained();
    if (!this.confirmed) return false;
    const file = this.chain.find((f) => !f.finished);
    if (!file) return false;
    if (!file.decoder && !(await this.identify(file))) return false;
    const decoder = file.decoder as FileDecoder;
    const sealed = file.sealed;
    const bytesRead = await this.deps.readBuffers.with(async (buf) => {
      const got = (await file.fh.read(buf, 0, buf.length, file.readOffset)).bytesRead;
      // The decoder copies what it keeps, so the buffer goes back to the pool right after.
      if (got > 0) decoder.feed(buf, got, file.readOffset);
      return got;
    });
    if (bytesRead > 0) {
      file.readOffset += bytesRead;
      await this.emitDecoded(file, false);
      return true;
    }
    if (sealed) {
      decoder.finish();
      file.finished = true;
      await this.emitDecoded(file, true);
      return true;
    }
    decoder.tick(now);
    await this.emitDecoded(file, false);
    // Only when the live path was just looked at: keeps idle tailers to one syscall per wake-up.
    return this.lastLiveCheck === now ? this.rotation.checkTruncated(file) : false;
  }

  private canEnd(): boolean {
    // A pinned tailer ends only when the source drops it (its container turned out unknown).
    if (this.committer.pending > 0 || !this.confirmed) return false;
    if (this.removed) return this.chain.every((f) => f.finished);
    // A stopped container: nothing more will be written until it starts again (then a new tailer resumes).
    return !this.running && this.chain.every((f, i) => f.finished || i === this.chain.length - 1);
  }

  /** On start: resume from checkpoints, draining files rotated while we were not looking. */
  private async openInitial(): Promise<void> {
    const files = await this.openSiblingsConsistently();
    const states = [];
    for (const f of files) {
      f.identity = await readIdentity(f.fh, this.deps.config.fingerprint_bytes, f !== files[files.length - 1]);
      states.push({ dev: f.dev, ino: f.ino, key: f.key });
    }
    const checkpoints = new Map<string, FileCheckpoint>(this.deps.store.forContainer(this.id));
    const plan = planResume(states, checkpoints, this.deps.config.read_from);
    if (plan.lostWhileDown) this.loss('rotated_while_down', 0, 'log files rotated away while the collector was down; reading what is left from the start');
    if (checkpoints.size === 0 && files.length > 1) await this.checkFirstSight(files.length);
    for (let i = 0; i < files.length; i++) {
      const f = files[i] as TailedFile;
      const step = plan.steps[i];
      if (!step?.read) {
        await f.close();
        continue;
      }
      f.startAt = step.offset;
      if (i < files.length - 1) f.sealed = true;
      this.chain.push(f);
    }
  }

  /**
   * Opens the live file and its rotated siblings. A rotation between listing and opening would
   * hand us the wrong file under a name, so the listing is repeated until it matches what was opened.
   */
  private async openSiblingsConsistently(): Promise<TailedFile[]> {
    for (let attempt = 0; ; attempt++) {
      const siblings = await listSiblings(this.target.logPath);
      const files: TailedFile[] = [];
      for (const s of siblings) {
        const f = await openTailed(s.path, 0);
        if (f) files.push(f);
      }
      const again = await listSiblings(this.target.logPath);
      const same = again.length === files.length && again.every((s, i) => `${s.dev}:${s.ino}` === files[i]?.devIno);
      if (same || attempt >= 20) return files;
      await Promise.all(files.map((f) => f.close()));
    }
  }

  /** A brand-new container whose first files may have rotated away before we could open them. */
  private async checkFirstSight(files: number): Promise<void> {
    const birth = await containerBirth(this.target.logPath);
    const bornAfterStart = birth.bornAtMs !== undefined && birth.bornAtMs >= this.deps.sourceStartedAtMs;
    if (maybeLostBeforeFirstSight({ hasCheckpoints: false, bornAfterStart, files, maxFile: birth.maxFile })) {
      this.loss('rotated_file_lost', 0, "a new container's first log files may have been rotated away before the collector could open them");
    }
  }

  /** Fingerprints a file once its first line is complete, then places it at its start offset. */
  private async identify(file: TailedFile): Promise<boolean> {
    file.identity ??= await readIdentity(file.fh, this.deps.config.fingerprint_bytes, file.sealed);
    const identity = file.identity;
    if (!identity) {
      if (file.sealed) file.finished = true; // an empty rotated file: nothing to read
      return false;
    }
    const size = Number((await file.fh.stat({ bigint: true })).size);
    const start = file.startAt === 'end' ? await lastLineEnd(file.fh, size) : Math.min(file.startAt, size);
    file.readOffset = start;
    file.committed = start;
    file.decoder = new FileDecoder({
      containerId: this.id,
      fileKey: identity.key,
      maxLineBytes: this.deps.config.max_line_bytes,
      batchMaxRecords: this.deps.config.batch_max_records,
      batchMaxBytes: this.deps.config.batch_max_bytes,
      ...(this.multiline ? { multiline: this.multiline } : {}),
    });
    file.decoder.reset(start);
    this.deps.store.set(identity.key, this.checkpoint(file, start, false));
    return true;
  }

  private async emitDecoded(file: TailedFile, final: boolean): Promise<void> {
    const decoder = file.decoder as FileDecoder;
    const key = file.key as string;
    this.count(decoder.takeCounts());
    const batches = decoder.takeBatches();
    const safe = decoder.safeOffset();
    if (batches.length === 0) {
      // A finished file with nothing left still has to be committed (in order) to be marked done.
      if (final) this.committer.track(Promise.resolve('delivered'), key, file.readOffset, 0);
      return;
    }
    const checkpoints = batchCheckpoints(batches, safe);
    for (let i = 0; i < batches.length; i++) {
      const b = batches[i] as DecodedBatch;
      // The bound holds per batch, not per read: one read can decode many batches.
      if (this.deps.budget.full) await this.deps.budget.available();
      // After a failure nothing more is emitted from this read: the rewind re-reads it.
      if (this.rereadRequested || this.stopped) return;
      const ack = new Ack();
      this.committer.track(ack.done, key, checkpoints[i] as number, b.estimatedBytes);
      this.deps.ctx.telemetry.eventsReceived(b.count, b.estimatedBytes);
      // The decoder wrote derived ids, `<this.id>:<key>:<offset>`; the identity's id is this.id.
      await this.deps.ctx.emit(new PackedLogBatch(this.deps.ctx.id, this.target.identity, b), ack);
    }
  }

  private commit(key: string, offset: number): void {
    const file = this.chain.find((f) => f.key === key);
    if (!file) return;
    if (offset > file.committed) file.committed = offset;
    this.deps.store.set(key, this.checkpoint(file, file.committed, file.drained));
  }

  private checkpoint(file: TailedFile, offset: number, done: boolean): FileCheckpoint {
    return { container: this.id, offset, done, path: file.path, updatedMs: Date.now() };
  }

  /** A batch failed: re-read every open file from what was delivered. */
  private rewind(): void {
    this.rereadRequested = false;
    this.deps.ctx.telemetry.error('delivery_failed');
    this.deps.ctx.logger.warn({ container: this.id }, 'a log batch failed delivery; re-reading from the checkpoint');
    for (const f of this.chain) {
      f.finished = false;
      f.readOffset = f.committed;
      f.decoder?.reset(f.committed);
    }
  }

  /** Closes rotated files whose every record is delivered (the live file stays open). */
  private async closeDrained(): Promise<void> {
    while (this.chain.length > 0 && (this.chain[0] as TailedFile).drained && (this.chain.length > 1 || this.removed)) {
      await (this.chain.shift() as TailedFile).close();
    }
  }

  private count(c: DecodeCounts): void {
    const t = this.deps.ctx.telemetry;
    for (const reason of ['unparseable', 'invalid_utf8', 'truncated', 'line_too_long', 'crash_split'] as const) {
      const n = c[reason];
      if (n > 0) for (let i = 0; i < n; i++) t.error(reason);
    }
  }

  private loss(reason: string, bytes: number, message: string): void {
    this.deps.ctx.telemetry.eventsDiscarded(1, reason);
    this.deps.ctx.logger.warn({ container: this.id, reason, lost_bytes: bytes }, message);
  }

  private sleep(ms: number): Promise<void> {
    return new Promise((resolve) => {
      const timer = setTimeout(() => {
        this.wakeSleeper = undefined;
        resolve();
      }, ms);
      this.wakeSleeper = () => {
        clearTimeout(timer);
        this.wakeSleeper = undefined;
        resolve();
      };
    });
  }

  private wake(): void {
    this.wakeSleeper?.();
  }
}
