import { z } from 'zod';
import type { ComponentContext, ComponentFactory, Transform } from '../../../core/component';
import type { ComponentTelemetry } from '../../../core/telemetry';
import { Ack, envelope, type Envelope, type MetricBatch, type RollupBatch } from '../../../core/event';
import { ROLLUP_LEVELS } from '../../../core/naming';
import { containerKeys, rollUp, type ContainerKeys } from './aggregate';
import { RateTracker, type ContainerDerived } from './derive';
import { WindowLedger } from './windows';

export const rollupSchema = z.strictObject({
  resolution_secs: z.number().positive().max(3600).default(10),
  /** A container missing for this long leaves the roll-ups (and its rate state is forgotten). */
  staleness_secs: z.number().positive().default(60),
  /**
   * How long after a window was emitted a late sample still corrects it (the window is emitted
   * again); older samples miss the roll-ups and are counted. Covers a Kafka outage's backlog that
   * comes back partition by partition, and a rebalance; memory grows with it (one retained sample
   * per container per window).
   */
  allowed_lateness_secs: z.number().nonnegative().max(3600).default(120),
  levels: z.array(z.enum(ROLLUP_LEVELS)).min(1).default([...ROLLUP_LEVELS]),
  /** Also pass the per-container batches on (the Prometheus and InfluxDB sinks want both). */
  pass_through: z.boolean().default(true),
});
export type RollupConfig = z.infer<typeof rollupSchema>;

/**
 * Event-time roll-ups: samples are placed in windows of `resolution_secs` by their scrape time,
 * and a window is emitted when the first sample of a later window arrives, so the output depends
 * only on the input (replays give the same roll-ups) and lags by at most one resolution. Samples
 * that arrive for a window already emitted correct it (see WindowLedger).
 */
export class RollupTransform implements Transform {
  private readonly rates = new RateTracker();
  private readonly ledger = new WindowLedger();
  /** Series keys per container, rebuilt only when the container's identity object changes. */
  private readonly keyCache = new Map<string, { identity: string; keys: ContainerKeys }>();
  private openEndMs: number | undefined;
  private source = 'rollup';
  private telemetry: ComponentTelemetry | undefined;
  private readonly resolutionMs: number;

  constructor(private readonly config: RollupConfig) {
    this.resolutionMs = config.resolution_secs * 1000;
  }

  start(ctx: ComponentContext): Promise<void> {
    this.source = `${ctx.node}/${ctx.id}`;
    this.telemetry = ctx.telemetry;
    return Promise.resolve();
  }

  process(input: Envelope, emit: (output: Envelope) => void): void {
    if (input.event.type !== 'metrics') return emit(input);
    const batch = input.event;
    const windowEnd = Math.ceil(batch.scrapedAtMs / this.resolutionMs) * this.resolutionMs;
    if (this.openEndMs === undefined) this.openEndMs = windowEnd;
    if (windowEnd > this.openEndMs) {
      // Corrections first, so the newest window is the last one every consumer sees.
      for (const end of this.ledger.takeChanged()) emit(envelope(this.rollupAt(end), Ack.detached()));
      const rollups = this.close(this.openEndMs);
      if (rollups) emit(envelope(rollups, Ack.detached()));
      this.openEndMs = windowEnd;
      // The window just emitted stays open to corrections for the allowed lateness.
      this.ledger.fold(windowEnd - this.resolutionMs - this.config.allowed_lateness_secs * 1000, this.stalenessMs());
    }
    this.apply(batch, windowEnd, this.openEndMs);
    if (this.config.pass_through) emit(input);
    else input.ack.settle('delivered');
  }

  /** The roll-up of the window ending at `endMs`, or undefined when nothing is live. */
  close(endMs: number): RollupBatch | undefined {
    const cutoff = endMs - this.stalenessMs();
    const latest = this.ledger.latest;
    for (const [id, d] of latest) {
      if (d.atMs >= cutoff) continue;
      latest.delete(id);
      this.keyCache.delete(id);
    }
    this.rates.forgetBefore(cutoff);
    if (latest.size === 0) return undefined;
    return this.batchOf(endMs, rollUp([...latest.values()], this.config.levels, (d) => this.keysOf(d)));
  }

  shutdown(): Promise<void> {
    return Promise.resolve();
  }

  /** A window rolled up again from the retained samples (its containers' values as of now). */
  private rollupAt(endMs: number): RollupBatch {
    const cutoff = endMs - this.stalenessMs();
    const live = this.ledger.snapshot(endMs).filter((d) => d.atMs >= cutoff);
    // Uncached keys: a correction may name containers that have left the cache.
    return this.batchOf(endMs, rollUp(live, this.config.levels));
  }

  private batchOf(endMs: number, series: RollupBatch['series']): RollupBatch {
    return { type: 'rollups', version: 1, source: this.source, atMs: endMs, resolutionMs: this.resolutionMs, series };
  }

  private stalenessMs(): number {
    return this.config.staleness_secs * 1000;
  }

  private keysOf(d: ContainerDerived): ContainerKeys {
    const c = d.container;
    // Identity objects arrive anew with every decoded batch; what they say rarely changes.
    const identity = `${c.node}|${c.workload.id}|${c.workload.pod}|${c.containerName}|${c.isSandbox ? 1 : 0}`;
    const cached = this.keyCache.get(c.id);
    if (cached?.identity === identity) return cached.keys;
    const keys = containerKeys(d, this.config.levels);
    this.keyCache.set(c.id, { identity, keys });
    return keys;
  }

  private apply(batch: MetricBatch, windowEnd: number, openEnd: number): void {
    let tooLate = 0;
    for (const c of batch.containers) {
      if (this.ledger.place(windowEnd, this.rates.derive(c, batch.scrapedAtMs), openEnd) === 'too_late') tooLate += 1;
    }
    // The samples themselves pass through; only their share of the roll-ups is lost.
    if (tooLate > 0) this.telemetry?.eventsDiscarded(tooLate, 'too_late_for_rollup');
  }
}

export const rollupFactory: ComponentFactory<'transform', RollupConfig> = {
  type: 'rollup',
  kind: 'transform',
  description: 'Rates from counters and roll-ups by container, pod, replica set, namespace, node and cluster.',
  schema: rollupSchema,
  accepts: ['metrics'],
  create: (config) => new RollupTransform(config),
};
