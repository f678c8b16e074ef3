import { Counter, Gauge, Histogram, type Registry } from 'prom-client';
import { SELF_LABEL, SELF_METRIC } from '../naming';

const componentLabels = [SELF_LABEL.componentId, SELF_LABEL.componentType, SELF_LABEL.componentKind] as const;
const bufferLabels = [SELF_LABEL.componentId, SELF_LABEL.policy] as const;

/**
 * The process-wide self-metric families, registered once on an injected registry (never the global
 * one, so tests and several pipelines in one process stay apart). Components get bound children.
 */
export class SelfMetrics {
  readonly receivedEvents: Counter<string>;
  readonly receivedBytes: Counter<string>;
  readonly sentEvents: Counter<string>;
  readonly sentBytes: Counter<string>;
  readonly discardedEvents: Counter<string>;
  readonly errors: Counter<string>;
  readonly batchSeconds: Histogram<string>;
  readonly bufferReceived: Counter<string>;
  readonly bufferSent: Counter<string>;
  readonly bufferDropped: Counter<string>;
  readonly bufferBlockedSeconds: Counter<string>;
  readonly bufferEvents: Gauge<string>;
  readonly bufferBytes: Gauge<string>;
  readonly deliveryRetries: Counter<string>;
  readonly deliveryOutcomes: Counter<string>;
  readonly poisonRecords: Counter<string>;

  constructor(readonly registry: Registry) {
    const counter = (name: string, help: string, extra: readonly string[] = []): Counter<string> =>
      new Counter({ name, help, labelNames: [...componentLabels, ...extra], registers: [registry] });
    this.receivedEvents = counter(SELF_METRIC.componentReceivedEvents, 'Events a component accepted.');
    this.receivedBytes = counter(SELF_METRIC.componentReceivedBytes, 'Estimated bytes a component accepted.');
    this.sentEvents = counter(SELF_METRIC.componentSentEvents, 'Events a component passed on or delivered.');
    this.sentBytes = counter(SELF_METRIC.componentSentBytes, 'Estimated bytes a component passed on or delivered.');
    this.discardedEvents = counter(SELF_METRIC.componentDiscardedEvents, 'Events given up on, by reason.', [SELF_LABEL.reason]);
    this.errors = counter(SELF_METRIC.componentErrors, 'Errors a component met, by reason.', [SELF_LABEL.reason]);
    this.deliveryRetries = counter(SELF_METRIC.deliveryRetries, 'Send attempts that were retried.');
    this.deliveryOutcomes = counter(SELF_METRIC.deliveryOutcomes, 'Batches settled, by outcome.', [SELF_LABEL.outcome]);
    this.poisonRecords = new Counter({
      name: SELF_METRIC.transportPoisonRecords,
      help: 'Consumed messages that could not be decoded, sent to the dead letter.',
      labelNames: ['topic', SELF_LABEL.reason],
      registers: [registry],
    });
    this.batchSeconds = new Histogram({
      name: SELF_METRIC.componentBatchSeconds,
      help: 'Time to handle one batch (a sink send, a scrape).',
      labelNames: [...componentLabels],
      buckets: [0.001, 0.005, 0.02, 0.1, 0.5, 2, 10],
      registers: [registry],
    });
    const bufCounter = (name: string, help: string): Counter<string> =>
      new Counter({ name, help, labelNames: [...bufferLabels], registers: [registry] });
    this.bufferReceived = bufCounter(SELF_METRIC.bufferReceivedEvents, 'Events put into a component input buffer.');
    this.bufferSent = bufCounter(SELF_METRIC.bufferSentEvents, 'Events taken out of a component input buffer.');
    this.bufferDropped = bufCounter(SELF_METRIC.bufferDroppedEvents, 'Events a full buffer dropped by its when_full policy.');
    this.bufferBlockedSeconds = bufCounter(SELF_METRIC.bufferBlockedSeconds, 'Time producers waited on a full buffer.');
    this.bufferEvents = new Gauge({ name: SELF_METRIC.bufferEvents, help: 'Events held in a buffer.', labelNames: [...bufferLabels], registers: [registry] });
    this.bufferBytes = new Gauge({ name: SELF_METRIC.bufferBytes, help: 'Estimated bytes held in a buffer.', labelNames: [...bufferLabels], registers: [registry] });
  }
}
