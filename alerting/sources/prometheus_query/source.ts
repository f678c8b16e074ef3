import { z } from 'zod';
import type { ComponentFactory, Source, SourceContext } from '../../../core/component';
import { EpisodeLogger } from '../../../core/telemetry';
import { ROLLUP_LEVELS } from '../../../core/naming';
import { parseQueryResponse, toBatch, vectorToSeries, type QuerySpec } from './map';

export const prometheusQuerySchema = z.strictObject({
  endpoint: z.url().default('http://127.0.0.1:9090'),
  interval_secs: z.number().positive().default(15),
  timeout_ms: z.number().int().positive().default(10_000),
  queries: z
    .array(z.strictObject({ metric: z.string().min(1), level: z.enum(ROLLUP_LEVELS), query: z.string().min(1) }))
    .min(1),
});
export type PrometheusQueryConfig = z.infer<typeof prometheusQuerySchema>;

/**
 * Rules over a Prometheus users already run: evaluates PromQL instant queries on an interval and
 * emits the results as roll-up batches, which the `alert_rules` and `autoscaler` sinks consume
 * exactly like cargoscope's own roll-ups. A failing query is counted and logged once per episode;
 * the other queries still run.
 */
export class PrometheusQuerySource implements Source {
  private timer: NodeJS.Timeout | undefined;
  private running: Promise<void> | undefined;
  private stopped = false;

  constructor(private readonly config: PrometheusQueryConfig) {}

  start(ctx: SourceContext): Promise<void> {
    if (this.stopped) return Promise.resolve();
    const episodes = new EpisodeLogger(ctx.logger);
    const tick = (): void => {
      if (this.stopped || this.running) return; // never overlap a slow round
      this.running = this.round(ctx, episodes).finally(() => (this.running = undefined));
    };
    this.timer = setInterval(tick, this.config.interval_secs * 1000);
    tick();
    return Promise.resolve();
  }

  async shutdown(): Promise<void> {
    this.stopped = true;
    if (this.timer) clearInterval(this.timer);
    await this.running;
  }

  private async round(ctx: SourceContext, episodes: EpisodeLogger): Promise<void> {
    const atMs = Date.now();
    const series = [];
    for (const spec of this.config.queries) {
      const result = await this.query(spec, atMs);
      if (result.ok) {
        episodes.recover(spec.metric, `query for ${spec.metric} works again`);
        series.push(...vectorToSeries(spec, result.result));
      } else {
        ctx.telemetry.error('query_failed');
        episodes.fail(spec.metric, `PromQL query for ${spec.metric} failed`, { query: spec.query, reason: result.reason });
      }
    }
    if (series.length > 0) await ctx.emit(toBatch(ctx.id, atMs, this.config.interval_secs * 1000, series));
  }

  private async query(spec: QuerySpec, atMs: number): Promise<ReturnType<typeof parseQueryResponse>> {
    const url = `${this.config.endpoint.replace(/\/$/, '')}/api/v1/query?time=${atMs / 1000}&query=${encodeURIComponent(spec.query)}`;
    try {
      const res = await fetch(url, { signal: AbortSignal.timeout(this.config.timeout_ms) });
      return parseQueryResponse(await res.json());
    } catch (err) {
      return { ok: false, reason: (err as Error).message };
    }
  }
}

export const prometheusQuerySourceFactory: ComponentFactory<'source', PrometheusQueryConfig> = {
  type: 'prometheus_query',
  kind: 'source',
  description: 'Runs PromQL instant queries on an interval and emits the results as roll-ups for rules and autoscaling.',
  schema: prometheusQuerySchema,
  create: (config) => new PrometheusQuerySource(config),
};
