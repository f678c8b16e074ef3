import type { Ack } from './ack';
import type { DeadLetter } from './deadletter';
import { packedFigures, type LogBatch } from './logs';
import type { MetricBatch } from './metrics';
import type { RollupBatch } from './rollups';

/** Every payload that flows between components. Rollups join this union with the aggregator. */
export type Event = MetricBatch | LogBatch | RollupBatch | DeadLetter;
export type EventType = Event['type'];

/**
 * An event in flight: the payload, its acknowledgement, and a size estimate so queues can be
 * bounded by bytes. `sizeBytes` is computed once by whoever creates the envelope.
 */
export interface Envelope<E extends Event = Event> {
  readonly event: E;
  readonly ack: Ack;
  readonly sizeBytes: number;
  /** How many logical events it carries (samples or records) for `*_events_total` counters. */
  readonly count: number;
}

/** Counts the logical events in a batch: samples for metrics, records for logs. */
export function countEvents(event: Event): number {
  switch (event.type) {
    case 'metrics': {
      let n = event.machine?.length ?? 0;
      for (const c of event.containers) n += c.samples.length;
      return n;
    }
    case 'logs':
      return packedFigures(event)?.count ?? event.records.length;
    case 'rollups':
      return event.series.length;
    case 'deadletter':
      return 1;
  }
}

/**
 * A cheap size estimate (no serialisation): bounded queues need an upper-bound-ish figure, not an
 * exact one, and serialising every batch twice would cost more than the queue saves.
 */
export function estimateBytes(event: Event): number {
  switch (event.type) {
    case 'metrics':
      return 256 + countEvents(event) * 96 + event.containers.length * 512;
    case 'logs': {
      const packed = packedFigures(event);
      if (packed) return packed.estimatedBytes;
      let n = 512;
      for (const r of event.records) n += r.message.length + 160;
      return n;
    }
    case 'rollups':
      return 256 + event.series.length * 160;
    case 'deadletter':
      return 256 + event.payload.length + event.detail.length;
  }
}

export function envelope<E extends Event>(event: E, ack: Ack): Envelope<E> {
  return { event, ack, sizeBytes: estimateBytes(event), count: countEvents(event) };
}
