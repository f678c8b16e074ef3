import type { Envelope, Event } from '../event';

/** What a producer hands the transport: the partition key and the event. */
export interface TransportMessage {
  readonly key: string;
  readonly event: Event;
}

/** A message already in its wire form (see `Transport.encode`). */
export interface EncodedMessage {
  readonly key: string;
  readonly value: Buffer;
  readonly contentType: string;
  /** The value is gzip'd as a whole (`Transport.compress`): published without Kafka-level compression. */
  readonly gzipped?: boolean;
}

/** What `publish` takes: events, or messages a sink encoded ahead of time. */
export type OutgoingMessage = TransportMessage | EncodedMessage;

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
  /**
   * The wire form of a message, for transports that have one (Kafka): a sink can encode an event
   * as it enters its buffer, so what waits there is bytes rather than the event's objects. Absent
   * where events travel as objects (the bus).
   */
  encode?(message: TransportMessage): EncodedMessage;
  /**
   * The encoded message compressed as the transport would compress it when publishing, done ahead
   * (off the main thread) while earlier requests are in flight. Resolves with the message as it
   * was when there is nothing to compress or compressing failed.
   */
  compress?(message: EncodedMessage): Promise<EncodedMessage>;
  publish(topic: string, messages: readonly OutgoingMessage[], signal?: AbortSignal): Promise<void>;
  subscribe(options: SubscribeOptions): Promise<Subscription>;
  shutdown(deadline: number): Promise<void>;
}
