import { z } from 'zod';
import type { ComponentContext, ComponentFactory, Sink } from '../../../core/component';
import type { Envelope } from '../../../core/event';
import { ContainerSeriesState } from './state';

export const prometheusExporterSchema = z.strictObject({
  /** A container's series disappear this long after its last sample (it stopped or vanished). */
  staleness_secs: z.number().positive().default(60),
});
export type PrometheusExporterConfig = z.infer<typeof prometheusExporterSchema>;

/**
 * Serves the latest metrics on the process's `/metrics`. "Delivery" is holding the newest reading
 * in memory: Prometheus pulls, and an exporter has nothing durable to confirm.
 */
export class PrometheusExporterSink implements Sink {
  private readonly state: ContainerSeriesState;

  constructor(private readonly config: PrometheusExporterConfig) {
    this.state = new ContainerSeriesState(config.staleness_secs * 1000);
  }

  start(ctx: ComponentContext): Promise<void> {
    ctx.exposition.addMetrics(() => {
      this.state.expire(Date.now());
      return this.state.render();
    });
    return Promise.resolve();
  }

  send(batch: readonly Envelope[]): Promise<void> {
    for (const env of batch) {
      if (env.event.type === 'metrics') this.state.apply(env.event);
      else if (env.event.type === 'rollups') this.state.applyRollups(env.event);
    }
    return Promise.resolve();
  }

  shutdown(): Promise<void> {
    return Promise.resolve();
  }
}

export const prometheusExporterFactory: ComponentFactory<'sink', PrometheusExporterConfig> = {
  type: 'prometheus_exporter',
  kind: 'sink',
  description: 'Exposes per-container series with cAdvisor names on the process /metrics endpoint.',
  schema: prometheusExporterSchema,
  accepts: ['metrics', 'rollups'],
  create: (config) => new PrometheusExporterSink(config),
};
