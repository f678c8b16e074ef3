/**
 * A FIFO bounded by item count and by bytes, with an explicit policy for when it is full:
 * - `block` (default): `push` waits for room, so backpressure reaches the source;
 * - `drop_oldest`: the oldest items make room for the new one;
 * - `drop_newest`: the new item is refused.
 * Dropped items go to `onDrop` (which settles their acks and counts them); nothing is lost silently.
 */
export type WhenFull = 'block' | 'drop_oldest' | 'drop_newest';

export interface Sized {
  readonly sizeBytes: number;
}

export interface QueueLimits {
  readonly maxEvents: number;
  readonly maxBytes: number;
  readonly whenFull: WhenFull;
}

export interface QueueHooks<T> {
  onDrop?(item: T): void;
  /** Called with the milliseconds a blocked `push` waited. */
  onBlocked?(waitedMs: number): void;
}

export class QueueClosedError extends Error {
  constructor() {
    super('queue is closed');
    this.name = 'QueueClosedError';
  }
}

interface RoomWaiter<T> {
  readonly item: T;
  readonly resolve: () => void;
  readonly reject: (err: Error) => void;
}

export class BoundedQueue<T extends Sized> {
  // A ring of arrays would be faster; an array with a moving head is enough at batch granularity.
  private items: T[] = [];
  private head = 0;
  private bytes = 0;
  private closed = false;
  private readonly roomWaiters: Array<RoomWaiter<T>> = [];
  private readonly itemWaiters: Array<(item: T | undefined) => void> = [];

  constructor(
    readonly limits: QueueLimits,
    private readonly hooks: QueueHooks<T> = {},
  ) {
    if (limits.maxEvents < 1 || limits.maxBytes < 1) throw new RangeError('queue limits must be positive');
  }

  get length(): number {
    return this.items.length - this.head;
  }

  get sizeBytes(): number {
    return this.bytes;
  }

  get isClosed(): boolean {
    return this.closed;
  }

  /**
   * Adds an item, applying the when-full policy. An item larger than `maxBytes` is still accepted
   * into an empty queue, otherwise one oversized batch could never pass.
   */
  async push(item: T): Promise<void> {
    if (this.closed) throw new QueueClosedError();
    // Earlier blocked pushers go first: only take the fast path when nobody is waiting.
    if (this.roomWaiters.length === 0 && this.hasRoomFor(item)) return this.enqueue(item);
    switch (this.limits.whenFull) {
      case 'drop_newest':
        this.hooks.onDrop?.(item);
        return;
      case 'drop_oldest':
        while (!this.hasRoomFor(item)) this.dropOne();
        return this.enqueue(item);
      case 'block':
        // The waker enqueues the item itself, in arrival order, before resolving.
        return this.waitForRoom(item);
    }
  }

  /** Next item, waiting while empty; `undefined` once the queue is closed and drained. */
  async shift(): Promise<T | undefined> {
    const item = this.take();
    if (item !== undefined || this.closed) return item;
    return new Promise((resolve) => this.itemWaiters.push(resolve));
  }

  /** Next item if one arrives within `ms`; `undefined` on timeout or when closed and drained. */
  async shiftWithin(ms: number): Promise<T | undefined> {
    const item = this.take();
    if (item !== undefined || this.closed || ms <= 0) return item;
    return new Promise((resolve) => {
      const waiter = (next: T | undefined): void => {
        clearTimeout(timer);
        resolve(next);
      };
      const timer = setTimeout(() => {
        const at = this.itemWaiters.indexOf(waiter);
        if (at >= 0) this.itemWaiters.splice(at, 1);
        resolve(undefined);
      }, ms);
      this.itemWaiters.push(waiter);
    });
  }

  /** Takes what is queued now, up to the limits, without waiting. */
  drain(maxEvents: number, maxBytes: number): T[] {
    const out: T[] = [];
    let bytes = 0;
    while (this.length > 0 && out.length < maxEvents) {
      const next = this.items[this.head] as T;
      if (out.length > 0 && bytes + next.sizeBytes > maxBytes) break;
      bytes += next.sizeBytes;
      out.push(this.take() as T);
    }
    return out;
  }

  /** Stops intake: blocked pushers fail, waiting consumers get `undefined` once it is empty. */
  close(): void {
    if (this.closed) return;
    this.closed = true;
    for (const w of this.roomWaiters.splice(0)) w.reject(new QueueClosedError());
    if (this.length === 0) for (const w of this.itemWaiters.splice(0)) w(undefined);
  }

  private hasRoomFor(item: T): boolean {
    if (this.length === 0) return true;
    return this.length < this.limits.maxEvents && this.bytes + item.sizeBytes <= this.limits.maxBytes;
  }

  private enqueue(item: T): void {
    const waiter = this.itemWaiters.shift();
    if (waiter) return waiter(item);
    this.items.push(item);
    this.bytes += item.sizeBytes;
  }

  private take(): T | undefined {
    if (this.length === 0) return undefined;
    const item = this.items[this.head] as T;
    this.items[this.head] = undefined as unknown as T; // let the batch be collected now
    this.head += 1;
    this.bytes -= item.sizeBytes;
    if (this.head > 1024 && this.head * 2 > this.items.length) {
      this.items = this.items.slice(this.head);
      this.head = 0;
    }
    this.wakeRoomWaiters();
    if (this.closed && this.length === 0) for (const w of this.itemWaiters.splice(0)) w(undefined);
    return item;
  }

  private dropOne(): void {
    const dropped = this.take();
    if (dropped !== undefined) this.hooks.onDrop?.(dropped);
  }

  private waitForRoom(item: T): Promise<void> {
    const started = Date.now();
    return new Promise<void>((resolve, reject) => {
      const onRoom = (): void => {
        this.hooks.onBlocked?.(Date.now() - started);
        resolve();
      };
      this.roomWaiters.push({ item, resolve: onRoom, reject });
    });
  }

  private wakeRoomWaiters(): void {
    while (this.roomWaiters.length > 0) {
      const next = this.roomWaiters[0] as RoomWaiter<T>;
      if (!this.hasRoomFor(next.item)) return;
      this.roomWaiters.shift();
      // Reserve the room now by enqueuing synchronously, so a later push cannot overtake it.
      this.enqueue(next.item);
      next.resolve();
    }
  }
}
