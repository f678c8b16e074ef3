import type { ContainerDerived } from './derive';

/**
 * The samples of the recent roll-up windows, kept so a window can be rolled up again when samples
 * for it arrive after it was emitted.
 *
 * Why samples arrive late: metrics are keyed by workload, so each workload's samples are in order,
 * but nothing orders one partition against another. After a Kafka outage the collector's backlog
 * comes back partition by partition, and after a rebalance a member starts reading a workload it
 * did not own from that partition's committed offset. Either way one workload can deliver the
 * windows another has already closed (finding 10 of docs/DRILL.md: those workloads had no roll-ups
 * for the outage's windows). A window is still emitted as soon as the first sample of a later
 * window arrives — the live path stays one resolution behind at most — and a late sample marks
 * the windows it changes, which are emitted again, corrected, with the next window close. Every
 * consumer takes a correction for what it is: InfluxDB overwrites the point of the same time and
 * tags, Prometheus keeps the newest window, the alerting store keeps the newest value per time.
 */
export class WindowLedger {
  /** Newest sample per container among the windows already folded away (older than the lateness). */
  private readonly base = new Map<string, ContainerDerived>();
  /** The samples placed in each retained window, by window end. */
  private readonly windows = new Map<number, Map<string, ContainerDerived>>();
  /** Windows changed by a late sample since they were emitted. */
  private readonly dirty = new Set<number>();
  private foldedThroughMs = -Infinity;

  /** Newest sample per container: what each container contributes to the window now open. */
  readonly latest = new Map<string, ContainerDerived>();

  /**
   * Places a sample in the window ending at `windowEndMs`, `openEndMs` being the window now open.
   * `too_late` means the window was folded away already (older than the allowed lateness): the
   * sample still counts as the container's latest value if nothing newer is known.
   */
  place(windowEndMs: number, d: ContainerDerived, openEndMs: number): 'placed' | 'duplicate' | 'too_late' {
    const id = d.container.id;
    this.keepIfNewer(this.latest, d);
    if (windowEndMs <= this.foldedThroughMs) return 'too_late';
    let window = this.windows.get(windowEndMs);
    if (!window) this.windows.set(windowEndMs, (window = new Map<string, ContainerDerived>()));
    const existing = window.get(id);
    // A replayed reading derives no rate (its predecessor is itself): keep the first one seen.
    if (existing && existing.atMs >= d.atMs) return 'duplicate';
    window.set(id, d);
    if (windowEndMs < openEndMs) this.markChanged(windowEndMs, id, openEndMs);
    return 'placed';
  }

  /** The emitted windows a late sample changed, oldest first; clears the marks. */
  takeChanged(): number[] {
    const out = [...this.dirty].sort((a, b) => a - b);
    this.dirty.clear();
    return out;
  }

  /** Every container's newest sample in windows up to and including `endMs`, as of now. */
  snapshot(endMs: number): ContainerDerived[] {
    const view = new Map(this.base);
    for (const end of this.sortedEnds()) {
      if (end > endMs) break;
      for (const [id, d] of this.windows.get(end) ?? []) view.set(id, d);
    }
    return [...view.values()];
  }

  /**
   * Folds windows ending at or before `beforeMs` into the base. A base sample leaves once it is
   * stale for every window still retained (older than the oldest of them by `stalenessMs`).
   */
  fold(beforeMs: number, stalenessMs: number): void {
    for (const end of this.sortedEnds()) {
      if (end > beforeMs) break;
      for (const d of this.windows.get(end)?.values() ?? []) this.keepIfNewer(this.base, d);
      this.windows.delete(end);
      this.dirty.delete(end);
      this.foldedThroughMs = Math.max(this.foldedThroughMs, end);
    }
    const cutoff = this.foldedThroughMs - stalenessMs;
    for (const [id, d] of this.base) if (d.atMs < cutoff) this.base.delete(id);
  }

  /** Samples held for corrections (a memory gauge for tests and benchmarks). */
  get retainedSamples(): number {
    let n = this.base.size;
    for (const w of this.windows.values()) n += w.size;
    return n;
  }

  /** The window of the sample and every later emitted one that carried the container's older value. */
  private markChanged(fromMs: number, id: string, openEndMs: number): void {
    this.dirty.add(fromMs);
    for (const [end, window] of this.windows) if (end > fromMs && end < openEndMs && !window.has(id)) this.dirty.add(end);
  }

  private sortedEnds(): number[] {
    return [...this.windows.keys()].sort((a, b) => a - b);
  }

  private keepIfNewer(map: Map<string, ContainerDerived>, d: ContainerDerived): void {
    const current = map.get(d.container.id);
    // Strictly newer: a replay of the same reading has no rate, and must not hide the first one's.
    if (!current || current.atMs < d.atMs) map.set(d.container.id, d);
  }
}
