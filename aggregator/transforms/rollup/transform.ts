import { z } from 'zod';
import type { ComponentContext, ComponentFactory, Transform } from '../../../core/component';
import { Ack, envelope, type Envelope, type MetricBatch, type RollupBatch } from '../../../core/event';
import { ROLLUP_LEVELS } from '../../../core/naming';
import { containerKeys, rollUp, type ContainerKeys } from './aggregate';
import { RateTracker, type ContainerDerived } from './derive';

export const rollupSchema = z.strictObject({
  resolution_secs: z.number().positive().max(3600).default(10),
  /** A container missing for this long leaves the roll-ups (and its rate state is forgotten). */
  staleness_secs: z.number().positive().default(60),
  levels: z.array(z.enum(ROLLUP_LEVELS)).min(1).default([...ROLLUP_LEVELS]),
  /** Also pass the per-container batches on (the Prometheus and InfluxDB sinks want both). */
  pass_through: z.boolean().default(true),
});
export type RollupConfig = z.infer<typeof rollupSchema>;

/**
 * Event-time roll-ups: samples are placed in windows of `resolution_secs` by their scrape time,
 * and a window is emitted when the first sample of a later window arrives, so the output depends
 * only on the input (replays give the same roll-ups) and lags by at most one resolution.
 */
export class RollupTransform implements Transform {
  private readonly rates = new RateTracker();
  private readonly latest = new Map<string, ContainerDerived>();
  /** Series keys per container, rebuilt only when the container's identity object changes. */
  private readonly keyCache = new Map<string, { identity: string; keys: ContainerKeys }>();
  private windowEndMs: number | undefined;
  private source = 'rollup';
  private readonly resolutionMs: number;

  constructor(private readonly config: RollupConfig) {
    this.resolutionMs = config.resolution_secs * 1000;
  }

  start(ctx: ComponentContext): Promise<void> {
    this.source = `${ctx.node}/${ctx.id}`;
    return Promise.resolve();
  }

  process(input: Envelope, emit: (output: Envelope) => void): void {
    if (input.event.type !== 'metrics') return emit(input);
    const batch = input.event;
    const windowEnd = Math.ceil(batch.scrapedAtMs / this.resolutionMs) * this.resolutionMs;
    if (this.windowEndMs === undefined) this.windowEndMs = windowEnd;
    if (windowEnd > this.windowEndMs) {
      const rollups = this.close(this.windowEndMs);
      if (rollups) emit(envelope(rollups, Ack.detached()));
      this.windowEndMs = windowEnd;
    }
    this.apply(batch);
    if (this.config.pass_through) emit(input);
    else input.ack.settle('delivered');
  }

  /** The roll-up of the window ending at `endMs`, or undefined when nothing is live. */
  close(endMs: number): RollupBatch | undefined {
    const cutoff = endMs - this.config.staleness_secs * 1000;
    for (const [id, d] of this.latest) {
      if (d.atMs >= cutoff) continue;
      this.latest.delete(id);
      this.keyCache.delete(id);
    }
    this.rates.forgetBefore(cutoff);
    if (this.latest.size === 0) return undefined;
    return {
      type: 'rollups',
      version: 1,
      source: this.source,
      atMs: endMs,
      resolutionMs: this.resolutionMs,
      series: rollUp([...this.latest.values()], this.config.levels, (d) => this.keysOf(d)),
    };
  }

  shutdown(): Promise<void> {
    return Promise.resolve();
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

  private apply(batch: MetricBatch): void {
    for (const c of batch.containers) this.latest.set(c.container.id, this.rates.derive(c, batch.scrapedAtMs));
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
