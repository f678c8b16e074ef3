/**
 * Runs a scrape on a fixed grid: tick k is due at t0 + k·interval, plus a random offset of up to
 * `jitterRatio`·interval so a fleet of collectors does not hit cAdvisor or dockerd in lockstep.
 * Staying on the grid (rather than "sleep interval after each scrape") keeps the spacing even, which
 * is what downstream rate() relies on. A scrape never overlaps the previous one: ticks that fall
 * due while one runs are skipped, and the loop resumes at the next tick in the future.
 */
export interface ScrapeLoopOptions {
  readonly intervalMs: number;
  readonly jitterRatio: number;
  readonly random?: () => number;
  readonly now?: () => number;
  /** Called when ticks were skipped because a scrape overran its interval. */
  readonly onOverrun?: (skipped: number) => void;
}

export type ScrapeFn = (signal: AbortSignal) => Promise<void>;

export class ScrapeLoop {
  private timer: NodeJS.Timeout | undefined;
  private running: Promise<void> | undefined;
  private readonly abort = new AbortController();
  private stopped = false;
  private t0 = 0;
  private tick = 0;
  private readonly random: () => number;
  private readonly now: () => number;

  constructor(
    private readonly scrape: ScrapeFn,
    private readonly options: ScrapeLoopOptions,
  ) {
    this.random = options.random ?? Math.random;
    this.now = options.now ?? Date.now;
  }

  /** The first scrape runs after a random phase within one jitter window, then on the grid. */
  start(): void {
    if (this.stopped || this.timer || this.running) return;
    this.t0 = this.now();
    this.tick = 0;
    this.schedule();
  }

  /** Stops scheduling, aborts an in-flight scrape and waits for it until `deadline`. */
  async stop(deadline: number): Promise<void> {
    this.stopped = true;
    if (this.timer) clearTimeout(this.timer);
    this.timer = undefined;
    this.abort.abort();
    const inFlight = this.running;
    if (!inFlight) return;
    let wait: NodeJS.Timeout | undefined;
    await Promise.race([
      inFlight,
      new Promise<void>((resolve) => {
        wait = setTimeout(resolve, Math.max(0, deadline - this.now()));
      }),
    ]);
    if (wait) clearTimeout(wait);
  }

  private schedule(): void {
    if (this.stopped) return;
    const { intervalMs, jitterRatio } = this.options;
    const dueAt = this.t0 + this.tick * intervalMs + this.random() * jitterRatio * intervalMs;
    this.timer = setTimeout(() => this.run(), Math.max(0, dueAt - this.now()));
  }

  private run(): void {
    this.timer = undefined;
    if (this.stopped) return;
    // scrape() reports its own errors; a rejection here would be a bug, and must not stop the loop.
    this.running = this.scrape(this.abort.signal).catch(() => undefined);
    void this.running.then(() => {
      this.running = undefined;
      const elapsedTicks = Math.floor((this.now() - this.t0) / this.options.intervalMs);
      const next = Math.max(this.tick + 1, elapsedTicks + 1);
      if (next > this.tick + 1) this.options.onOverrun?.(next - this.tick - 1);
      this.tick = next;
      this.schedule();
    });
  }
}
