import type { Envelope, Event } from '../event';

/** What a producer hands the transport: the partition key and the event. */
export interface TransportMessage {
  readonly key: string;
  readonly event: Event;
}

/**
 * Receives consumed events. The transport gives each envelope its own Ack and advances (commits)
 * its position only once the ack settles `delivered` or `rejected`; on `failed` the same messages
 * are delivered again. The handler resolves when the envelopes were *accepted* downstream.
 */
export type EnvelopeHandler = (envelopes: readonly Envelope[], origin: string) => Promise<void>;

export interface SubscribeOptions {
  readonly topics: readonly string[];
  /** Consumer group: instances in one group share the partitions; each group sees every message. */
  readonly group: string;
  readonly handler: EnvelopeHandler;
}

export interface Subscription {
  close(deadline: number): Promise<void>;
}

/**
 * The one interface between collector and aggregator: Kafka in distributed mode, an in-process
 * bus in all-in-one. `publish` resolves once the messages are durable — acknowledged by all
 * in-sync replicas (Kafka, acks=all), or by the consuming pipeline itself (bus) — and rejects with
 * a RetryableError otherwise, so the publishing sink's retry policy applies.
 */
export interface Transport {
  readonly kind: 'bus' | 'kafka';
  start(): Promise<void>;
  publish(topic: string, messages: readonly TransportMessage[], signal?: AbortSignal): Promise<void>;
  subscribe(options: SubscribeOptions): Promise<Subscription>;
  shutdown(deadline: number): Promise<void>;
}
