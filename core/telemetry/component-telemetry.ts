import type { Counter, Histogram } from 'prom-client';
import type { SelfMetrics } from './self-metrics';

export interface ComponentLabels {
  readonly id: string;
  readonly type: string;
  readonly kind: string;
}

/**
 * The internal-event catalogue of one component, bound to its labels once at construction so the
 * hot path only adds numbers. Call per batch, never per event.
 */
export class ComponentTelemetry {
  private readonly received: ReturnType<Counter<string>['labels']>;
  private readonly receivedBytes: ReturnType<Counter<string>['labels']>;
  private readonly sent: ReturnType<Counter<string>['labels']>;
  private readonly sentBytes: ReturnType<Counter<string>['labels']>;
  private readonly batch: ReturnType<Histogram<string>['labels']>;
  private readonly retries: ReturnType<Counter<string>['labels']>;

  constructor(
    readonly metrics: SelfMetrics,
    readonly labels: ComponentLabels,
  ) {
    const l = [labels.id, labels.type, labels.kind];
    this.received = metrics.receivedEvents.labels(...l);
    this.receivedBytes = metrics.receivedBytes.labels(...l);
    this.sent = metrics.sentEvents.labels(...l);
    this.sentBytes = metrics.sentBytes.labels(...l);
    this.batch = metrics.batchSeconds.labels(...l);
    this.retries = metrics.deliveryRetries.labels(...l);
  }

  eventsReceived(count: number, bytes: number): void {
    this.received.inc(count);
    this.receivedBytes.inc(bytes);
  }

  eventsSent(count: number, bytes: number): void {
    this.sent.inc(count);
    this.sentBytes.inc(bytes);
  }

  /** Events given up on (`reason` from a fixed set: `queue_full`, `rejected`, `unparseable`…). */
  eventsDiscarded(count: number, reason: string): void {
    this.metrics.discardedEvents.labels(this.labels.id, this.labels.type, this.labels.kind, reason).inc(count);
  }

  error(reason: string): void {
    this.metrics.errors.labels(this.labels.id, this.labels.type, this.labels.kind, reason).inc();
  }

  retried(): void {
    this.retries.inc();
  }

  outcome(outcome: string, batches = 1): void {
    this.metrics.deliveryOutcomes.labels(this.labels.id, this.labels.type, this.labels.kind, outcome).inc(batches);
  }

  batchDuration(seconds: number): void {
    this.batch.observe(seconds);
  }
}
