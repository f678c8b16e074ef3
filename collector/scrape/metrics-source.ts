import type { Source, SourceContext } from '../../core/component/types';
import { countEvents, estimateBytes, type ContainerMetrics, type MetricBatch, type MetricSample } from '../../core/event';
import { ErrorEpisodes } from './episodes';
import { ScrapeLoop } from './loop';

export interface ScrapeResult {
  readonly containers: readonly ContainerMetrics[];
  readonly machine?: readonly MetricSample[];
}

export interface ScrapeSettings {
  readonly intervalMs: number;
  readonly jitterRatio: number;
}

/**
 * What the three metrics sources share: the loop, one `MetricBatch` per scrape, self-telemetry
 * per batch, and error episodes. Subclasses only read (`collect`) and own their connections
 * (`open`, `close`). A failed scrape emits nothing; an empty node emits an empty batch, so the
 * aggregator learns that every container of this node (and so every series) is gone.
 */
export abstract class MetricsSource implements Source {
  private loop: ScrapeLoop | undefined;
  private context: SourceContext | undefined;
  private episodeLog: ErrorEpisodes | undefined;
  private closed = false;

  protected constructor(protected readonly settings: ScrapeSettings) {}

  async start(ctx: SourceContext): Promise<void> {
    if (this.closed || this.context) return;
    this.context = ctx;
    this.episodeLog = new ErrorEpisodes(ctx.logger, ctx.telemetry);
    await this.open(ctx);
    this.loop = new ScrapeLoop((signal) => this.scrapeOnce(signal).then(() => undefined), {
      intervalMs: this.settings.intervalMs,
      jitterRatio: this.settings.jitterRatio,
      onOverrun: (skipped) => this.episodes.fail('loop', 'scrape_overrun', new Error(`scrape overran ${skipped} interval(s)`)),
    });
    this.loop.start();
  }

  async shutdown(deadline: number): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    await this.loop?.stop(deadline);
    if (this.context) await this.close(deadline);
  }

  /**
   * One scrape, emitted. Public so tests and benchmarks can drive scrapes without timers.
   * Never throws: failures become error counts.
   */
  async scrapeOnce(signal: AbortSignal = new AbortController().signal): Promise<MetricBatch | undefined> {
    const ctx = this.ctx;
    const started = performance.now();
    const scrapedAtMs = Date.now();
    let result: ScrapeResult | undefined;
    try {
      result = await this.collect(signal, scrapedAtMs);
    } catch (err) {
      this.episodes.fail('scrape', this.classify(err), err);
      return undefined;
    }
    if (result === undefined || signal.aborted) return undefined;
    const batch: MetricBatch = {
      type: 'metrics',
      version: 1,
      node: ctx.node,
      source: ctx.id,
      scrapedAtMs,
      containers: result.containers,
      ...(result.machine ? { machine: result.machine } : {}),
    };
    try {
      await ctx.emit(batch);
      this.episodes.ok('emit');
    } catch (err) {
      this.episodes.fail('emit', 'emit_failed', err);
      return undefined;
    }
    ctx.telemetry.eventsSent(countEvents(batch), estimateBytes(batch));
    ctx.telemetry.batchDuration((performance.now() - started) / 1000);
    return batch;
  }

  protected get ctx(): SourceContext {
    if (!this.context) throw new Error('metrics source used before start()');
    return this.context;
  }

  protected get episodes(): ErrorEpisodes {
    if (!this.episodeLog) throw new Error('metrics source used before start()');
    return this.episodeLog;
  }

  /** A bounded reason code for an error that failed the whole scrape. */
  protected classify(_err: unknown): string {
    return 'scrape_failed';
  }

  protected abstract open(ctx: SourceContext): Promise<void>;
  protected abstract close(deadline: number): Promise<void>;
  /** Reads every container once; `undefined` means "nothing trustworthy to emit this time". */
  protected abstract collect(signal: AbortSignal, nowMs: number): Promise<ScrapeResult | undefined>;
}
