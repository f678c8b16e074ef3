/**
 * Read buffers shared by every tailer. One buffer per container (the first design) made memory
 * grow with the number of containers — 300 containers × 256 KiB is 75 MiB of buffers that are
 * idle almost all the time. A buffer is needed only from the read(2) until the decoder has copied
 * what it keeps, so a small pool bounds it by bytes: `count × size`, whatever the node runs.
 */
export class ReadBuffers {
  private readonly free: Buffer[] = [];
  private readonly waiters: Array<(buf: Buffer) => void> = [];
  private created = 0;

  constructor(
    readonly size: number,
    readonly count: number,
  ) {}

  /** Runs `use` with a buffer of its own, waiting for one when all are in use. */
  async with<T>(use: (buf: Buffer) => Promise<T>): Promise<T> {
    const buf = this.free.pop() ?? (this.created < this.count ? this.create() : await new Promise<Buffer>((resolve) => this.waiters.push(resolve)));
    try {
      return await use(buf);
    } finally {
      const next = this.waiters.shift();
      if (next) next(buf);
      else this.free.push(buf);
    }
  }

  private create(): Buffer {
    this.created++;
    return Buffer.allocUnsafe(this.size);
  }
}
