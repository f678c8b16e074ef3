import type { AckOutcome } from '../../../core/event';

/**
 * Memory bound over everything emitted and not yet acknowledged, shared by all containers.
 * Tailers check `full` before each read and wait; a batch may overshoot by its own size, which is
 * bounded by `batch_max_bytes`.
 */
export class ByteBudget {
  private used = 0;
  private waiters: Array<() => void> = [];

  constructor(readonly limit: number) {}

  get inFlight(): number {
    return this.used;
  }

  get full(): boolean {
    return this.used >= this.limit;
  }

  add(bytes: number): void {
    this.used += bytes;
  }

  release(bytes: number): void {
    this.used -= bytes;
    if (this.used < this.limit && this.waiters.length > 0) for (const wake of this.waiters.splice(0)) wake();
  }

  /** Resolves once below the limit (at once if it is). */
  available(): Promise<void> {
    if (!this.full) return Promise.resolve();
    return new Promise((resolve) => this.waiters.push(resolve));
  }

  /** Lets every waiter go (shutdown); they re-check their own stop flag. */
  wakeAll(): void {
    for (const wake of this.waiters.splice(0)) wake();
  }
}

interface Entry {
  readonly fileKey: string;
  readonly offset: number;
  readonly bytes: number;
  outcome: AckOutcome | undefined;
}

export interface TrackerHooks {
  /** Everything up to `offset` in `fileKey` was delivered or rejected, in order. */
  commit(fileKey: string, offset: number): void;
  /** A batch failed: nothing after the last commit counts; the tailer re-reads from there. */
  failed(): void;
}

/**
 * Turns out-of-order ack outcomes into in-order checkpoint commits for one container: a position
 * advances only when every batch before it settled as `delivered` or `rejected`. A `failed`
 * outcome discards the whole queue (later outcomes of this generation are ignored) and asks the
 * tailer to re-read from the last commit — records re-sent carry the same ids.
 */
export class InOrderCommitter {
  private queue: Entry[] = [];
  private head = 0;
  private generation = 0;
  private idleWaiters: Array<() => void> = [];

  constructor(
    private readonly budget: ByteBudget,
    private readonly hooks: TrackerHooks,
  ) {}

  get pending(): number {
    return this.queue.length - this.head;
  }

  /** One promise per batch (never per line). */
  track(done: Promise<AckOutcome>, fileKey: string, offset: number, bytes: number): void {
    const entry: Entry = { fileKey, offset, bytes, outcome: undefined };
    this.queue.push(entry);
    this.budget.add(bytes);
    const generation = this.generation;
    void done.then((outcome) => {
      this.budget.release(bytes);
      if (generation !== this.generation) return;
      entry.outcome = outcome;
      this.drain();
    });
  }

  /** Resolves when nothing is pending (or at once). */
  idle(): Promise<void> {
    if (this.pending === 0) return Promise.resolve();
    return new Promise((resolve) => this.idleWaiters.push(resolve));
  }

  /** Forgets what is pending (the tailer is re-reading or going away). */
  abandon(): void {
    this.generation++;
    this.queue = [];
    this.head = 0;
    this.wakeIdle();
  }

  private drain(): void {
    let last: Entry | undefined;
    while (this.head < this.queue.length) {
      const e = this.queue[this.head] as Entry;
      if (e.outcome === undefined) break;
      if (e.outcome === 'failed') {
        if (last) this.hooks.commit(last.fileKey, last.offset);
        this.abandon();
        this.hooks.failed();
        return;
      }
      // Commit at file boundaries too, so a finished file is recorded before the next one's offsets.
      if (last && last.fileKey !== e.fileKey) this.hooks.commit(last.fileKey, last.offset);
      last = e;
      this.head++;
    }
    if (last) this.hooks.commit(last.fileKey, last.offset);
    if (this.head > 1024 && this.head * 2 > this.queue.length) {
      this.queue = this.queue.slice(this.head);
      this.head = 0;
    }
    if (this.pending === 0) this.wakeIdle();
  }

  private wakeIdle(): void {
    for (const wake of this.idleWaiters.splice(0)) wake();
  }
}
