/**
 * Rendered files of open handles, in shared memory, so that every serving thread can answer a
 * READ for a handle another thread opened: the kernel hands each request to whichever thread
 * is reading /dev/fuse, with no affinity to the thread that answered the OPEN.
 *
 * Layout (all SharedArrayBuffers, passed to every thread):
 * - `tags`: Int32 per handle slot; 0 = free, CLAIMED while being filled, else the handle's tag.
 * - `extent`: BigInt64 per handle slot, firstPage << 32 | byte length, stored atomically so a
 *   reader never pairs one render's pages with another's length.
 * - `served`: Int32 per handle slot; 1 once the snapshot has been read from offset 0.
 * - `pages`: Int32 per arena page; 0 = free, else owning handle slot + 1.
 * - `arena`: the content, PAGE_BYTES per page, a render occupying consecutive pages.
 * - `meta`: Int32 [next tag].
 * A file handle is epoch << 48 | tag << 16 | slot: the epoch (random per worker process) and
 * the tag make a handle of a previous worker, or of a released and reused slot, a miss — never
 * another reader's content.
 */
export const PAGE_BYTES = 4096;
const CLAIMED = -1;
const SLOT_BITS = 16;

export interface SnapshotBuffers {
  readonly tags: SharedArrayBuffer;
  readonly extent: SharedArrayBuffer;
  readonly served: SharedArrayBuffer;
  readonly pages: SharedArrayBuffer;
  readonly arena: SharedArrayBuffer;
  readonly meta: SharedArrayBuffer;
  readonly epoch: number;
}

/** Capacity: handles open at once, and arena pages (4 KiB each; untouched pages cost no RAM). */
export function allocateSnapshots(handles = 8192, pages = 4096): SnapshotBuffers {
  if (handles > 1 << SLOT_BITS) throw new Error(`at most ${1 << SLOT_BITS} handles`);
  return {
    tags: new SharedArrayBuffer(4 * handles),
    extent: new SharedArrayBuffer(8 * handles),
    served: new SharedArrayBuffer(4 * handles),
    pages: new SharedArrayBuffer(4 * pages),
    arena: new SharedArrayBuffer(PAGE_BYTES * pages),
    meta: new SharedArrayBuffer(8),
    epoch: 1 + Math.floor(Math.random() * 0x7ffe),
  };
}

export class SnapshotStore {
  private readonly tags: Int32Array;
  private readonly extent: BigInt64Array;
  private readonly served: Int32Array;
  private readonly pages: Int32Array;
  private readonly arena: Buffer;
  private readonly meta: Int32Array;
  private slotHint: number;
  private pageHint: number;

  /** `shard`/`shards`: where this thread starts looking for free slots, to keep threads apart. */
  constructor(private readonly b: SnapshotBuffers, shard = 0, shards = 1) {
    this.tags = new Int32Array(b.tags);
    this.extent = new BigInt64Array(b.extent);
    this.served = new Int32Array(b.served);
    this.pages = new Int32Array(b.pages);
    this.arena = Buffer.from(b.arena);
    this.meta = new Int32Array(b.meta);
    this.slotHint = Math.floor((this.tags.length * shard) / shards);
    this.pageHint = Math.floor((this.pages.length * shard) / shards);
  }

  /**
   * Stores a render; undefined when the store is full (the caller reports it). A string is
   * encoded straight into the shared pages: no intermediate Buffer per render.
   */
  create(content: Buffer | string): bigint | undefined {
    const slot = this.claimSlot();
    if (slot === undefined) return undefined;
    if (!this.fill(slot, content)) {
      Atomics.store(this.tags, slot, 0);
      return undefined;
    }
    Atomics.store(this.served, slot, 0);
    let tag = Atomics.add(this.meta, 0, 1) + 1;
    if (tag <= 0) tag = 1; // wrapped: tags only need to differ from the slot's previous ones
    Atomics.store(this.tags, slot, tag);
    return (BigInt(this.b.epoch) << 48n) | (BigInt(tag) << 16n) | BigInt(slot);
  }

  /** The render of a live handle, as a view (no copy); undefined for unknown or stale handles. */
  get(fh: bigint): Buffer | undefined {
    const slot = this.slotOf(fh);
    if (slot === undefined) return undefined;
    const e = Atomics.load(this.extent, slot);
    const first = Number(e >> 32n);
    const len = Number(e & 0xffffffffn);
    return this.arena.subarray(first * PAGE_BYTES, first * PAGE_BYTES + len);
  }

  /** Marks a read from offset 0; true if one had already happened (the reader read again). */
  markServed(fh: bigint): boolean {
    const slot = this.slotOf(fh);
    return slot !== undefined && Atomics.exchange(this.served, slot, 1) === 1;
  }

  /** Replaces a live handle's render (a re-read from offset 0); false if it could not be stored. */
  replace(fh: bigint, content: Buffer): boolean {
    const slot = this.slotOf(fh);
    if (slot === undefined) return false;
    const old = Atomics.load(this.extent, slot);
    if (!this.fill(slot, content)) return false;
    this.freePages(Number(old >> 32n), Number(old & 0xffffffffn), slot, Number(Atomics.load(this.extent, slot) >> 32n));
    return true;
  }

  release(fh: bigint): void {
    const slot = this.slotOf(fh);
    if (slot === undefined) return;
    const e = Atomics.load(this.extent, slot);
    this.freePages(Number(e >> 32n), Number(e & 0xffffffffn), slot, -1);
    Atomics.store(this.tags, slot, 0);
  }

  /** Handles currently open (diagnostics and tests). */
  open(): number {
    let n = 0;
    for (let i = 0; i < this.tags.length; i++) if (Atomics.load(this.tags, i) > 0) n++;
    return n;
  }

  private slotOf(fh: bigint): number | undefined {
    if (Number(fh >> 48n) !== this.b.epoch) return undefined;
    const slot = Number(fh & 0xffffn);
    const tag = Number((fh >> 16n) & 0xffffffffn);
    return slot < this.tags.length && Atomics.load(this.tags, slot) === tag ? slot : undefined;
  }

  private claimSlot(): number | undefined {
    const n = this.tags.length;
    for (let i = 0; i < n; i++) {
      const s = (this.slotHint + i) % n;
      if (Atomics.compareExchange(this.tags, s, 0, CLAIMED) === 0) {
        this.slotHint = (s + 1) % n;
        return s;
      }
    }
    return undefined;
  }

  /** Copies content into newly claimed consecutive pages and points the slot's extent at them. */
  private fill(slot: number, content: Buffer | string): boolean {
    const length = typeof content === 'string' ? Buffer.byteLength(content, 'utf8') : content.length;
    const need = Math.max(1, Math.ceil(length / PAGE_BYTES));
    const first = this.claimPages(need, slot + 1);
    if (first === undefined) return false;
    if (typeof content === 'string') this.arena.write(content, first * PAGE_BYTES, length, 'utf8');
    else content.copy(this.arena, first * PAGE_BYTES);
    Atomics.store(this.extent, slot, (BigInt(first) << 32n) | BigInt(length));
    return true;
  }

  private claimPages(need: number, owner: number): number | undefined {
    const n = this.pages.length;
    for (let tries = 0, start = this.pageHint; tries < n; tries++, start = (start + 1) % n) {
      if (start + need > n) {
        tries += n - start - 1;
        start = n - 1;
        continue;
      }
      let got = 0;
      while (got < need && Atomics.compareExchange(this.pages, start + got, 0, owner) === 0) got++;
      if (got === need) {
        this.pageHint = (start + need) % n;
        return start;
      }
      for (let k = 0; k < got; k++) Atomics.store(this.pages, start + k, 0);
      start += got;
      tries += got;
    }
    return undefined;
  }

  /** Frees a render's pages, except those of `keepFirst` (the replacement, if it reused none). */
  private freePages(first: number, len: number, slot: number, keepFirst: number): void {
    if (first === keepFirst) return;
    const count = Math.max(1, Math.ceil(len / PAGE_BYTES));
    for (let p = first; p < first + count; p++) Atomics.compareExchange(this.pages, p, slot + 1, 0);
  }
}
