import { hostname } from 'node:os';
import { collectDefaultMetrics, Gauge, Registry } from 'prom-client';
import type { Logger } from 'pino';
import { ApiServer } from '../core/api';
import { Topology } from '../core/component';
import type { ValidatedConfig } from '../core/config';
import { createLogger, SelfMetrics, Tracing } from '../core/telemetry';
import { SELF_METRIC } from '../core/naming';
import { InProcessBus, KafkaTransport, type Transport } from '../core/transport';
import { VERSION } from '../core/version';
import type { ProcessMode } from './defaults';


/**
 * One running cargoscope process: telemetry, the HTTP surface, the transport and the topology,
 * started in that order and stopped in reverse. Owns no `process.exit`: `main` decides exit codes.
 */
export class PipelineProcess {
  readonly registry = new Registry();
  readonly logger: Logger;
  readonly api: ApiServer | undefined;
  private readonly tracing = new Tracing();
  private readonly transport: Transport;
  private readonly topology: Topology;
  private stopping: Promise<void> | undefined;

  constructor(
    readonly mode: ProcessMode,
    readonly config: ValidatedConfig,
    logger?: Logger,
  ) {
    const settings = config.settings;
    this.logger = logger ?? createLogger(settings.telemetry.log_level);
    collectDefaultMetrics({ register: this.registry, prefix: 'cargoscope_' });
    new Gauge({ name: SELF_METRIC.build, help: 'cargoscope build and mode.', labelNames: ['version', 'mode'], registers: [this.registry] })
      .labels(VERSION, mode)
      .set(1);
    const metrics = new SelfMetrics(this.registry);
    this.transport =
      settings.transport.type === 'kafka'
        ? new KafkaTransport(settings.transport.kafka, this.logger.child({ component: 'kafka' }), {
            onPoison: (topic, reason) => metrics.poisonRecords.labels(topic, reason).inc(),
          })
        : new InProcessBus();
    this.api = settings.api.enabled
      ? new ApiServer({ listen: settings.api.listen, registry: this.registry, isReady: () => this.topology.isRunning && !this.stopping })
      : undefined;
    this.topology = new Topology(config, {
      node: settings.node ?? hostname(),
      dataDir: settings.data_dir,
      metrics,
      logger: this.logger,
      transport: this.transport,
      exposition: this.api ?? { addMetrics: () => undefined },
    });
  }

  async start(): Promise<void> {
    const { tracing } = this.config.settings.telemetry;
    await this.tracing.start({ otlpEndpoint: tracing.otlp_endpoint, sampleRatio: tracing.sample_ratio, serviceName: `cargoscope-${this.mode}` });
    await this.transport.start();
    await this.api?.start();
    await this.topology.start();
    this.logger.info({ mode: this.mode, listen: this.api?.address, components: this.config.components.length }, 'cargoscope started');
  }

  /** Stops intake, flushes, and releases everything; idempotent. */
  shutdown(): Promise<void> {
    this.stopping ??= this.stop();
    return this.stopping;
  }

  private async stop(): Promise<void> {
    const deadline = Date.now() + this.config.settings.shutdown_timeout_secs * 1000;
    this.logger.info({ deadline_ms: deadline - Date.now() }, 'shutting down: stopping intake and flushing');
    await this.topology.shutdown(deadline);
    await this.transport.shutdown(deadline);
    await this.api?.shutdown();
    await this.tracing.shutdown();
    this.logger.info('shutdown complete');
  }
}
