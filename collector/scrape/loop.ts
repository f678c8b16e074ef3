/**
 * Runs a scrape on a fixed grid aligned to the wall clock: tick k is due at k·interval + offset
 * (epoch-based), where the offset is drawn once per process in [lead, lead + jitterRatio)·interval,
 * so a fleet of collectors does not hit cAdvisor or dockerd in lockstep, while one collector's
 * scrapes stay exactly one interval apart (as Prometheus keeps a target's offset fixed).
 *
 * Why aligned, and why a fixed offset: the aggregator's roll-up windows are multiples of their
 * resolution from the epoch. A grid of arbitrary phase with jitter drawn per tick put scrapes on
 * both sides of a window boundary, leaving one window empty and the next with two samples (the
 * long drill's InfluxDB gaps, docs/DRILL.md finding 11). Each scrape now lands early in its window,
 * with most of an interval to spare for timer lateness on a loaded machine. The first scrape runs
 * one offset after start; the second waits for the grid, at least half an interval later, so no
 * rate is taken over a sliver of time. A scrape never overlaps the previous one: ticks that fall
 * due while one runs are skipped (and reported), and the loop resumes at the next tick ahead.
 */
export interface ScrapeLoopOptions {
  readonly intervalMs: number;
  readonly jitterRatio: number;
  readonly random?: () => number;
  readonly now?: () => number;
  /** Called when ticks were skipped because a scrape overran its interval. */
  readonly onOverrun?: (skipped: number) => void;
}

/** Where in its interval a tick falls at the earliest: clear of the window boundary it follows. */
const GRID_LEAD = 0.02;

export type ScrapeFn = (signal: AbortSignal) => Promise<void>;

export class ScrapeLoop {
  private timer: NodeJS.Timeout | undefined;
  private running: Promise<void> | undefined;
  private readonly abort = new AbortController();
  private stopped = false;
  private offsetMs = 0;
  private lastDueMs = 0;
  private readonly random: () => number;
  private readonly now: () => number;

  constructor(
    private readonly scrape: ScrapeFn,
    private readonly options: ScrapeLoopOptions,
  ) {
    this.random = options.random ?? Math.random;
    this.now = options.now ?? Date.now;
  }

  /** The first scrape runs one offset after start (as a grid tick would), then on the grid. */
  start(): void {
    if (this.stopped || this.timer || this.running) return;
    const { intervalMs, jitterRatio } = this.options;
    this.offsetMs = (GRID_LEAD + this.random() * jitterRatio) * intervalMs;
    this.scheduleAt(this.now() + this.offsetMs);
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

  /** The first grid tick at or after `t`. */
  private gridAtOrAfter(t: number): number {
    const { intervalMs } = this.options;
    return Math.ceil((t - this.offsetMs) / intervalMs) * intervalMs + this.offsetMs;
  }

  private scheduleAt(dueAt: number): void {
    if (this.stopped) return;
    this.lastDueMs = dueAt;
    this.timer = setTimeout(() => this.run(), Math.max(0, dueAt - this.now()));
  }

  private run(): void {
    this.timer = undefined;
    if (this.stopped) return;
    // scrape() reports its own errors; a rejection here would be a bug, and must not stop the loop.
    this.running = this.scrape(this.abort.signal).catch(() => undefined);
    void this.running.then(() => {
      this.running = undefined;
      const { intervalMs } = this.options;
      const expected = this.gridAtOrAfter(this.lastDueMs + intervalMs / 2);
      const next = this.gridAtOrAfter(Math.max(expected, this.now()));
      const skipped = Math.round((next - expected) / intervalMs);
      if (skipped > 0) this.options.onOverrun?.(skipped);
      this.scheduleAt(next);
    });
  }
}
