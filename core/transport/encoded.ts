import type { Ack, Envelope, Event } from '../event';
import { decodeEvent } from './codec';
import type { EncodedMessage, OutgoingMessage } from './types';

/** The event of an outgoing message, read back from its bytes if it was encoded ahead of time. */
export function eventOf(message: OutgoingMessage): Event {
  if (!('value' in message)) return message.event;
  const decoded = decodeEvent(message.value);
  // These bytes came from our own encoder: not reading them back is a bug, not bad input.
  if (!decoded.ok) throw new Error(`an encoded ${message.contentType} message does not decode: ${decoded.detail}`);
  return decoded.event;
}

/**
 * An envelope whose event waits in a sink's buffer as the bytes it will be published as (see
 * `Sink.prepare`). Why: a log batch is ~2,000 records of strings and objects, and a sink holds it
 * until Kafka has acknowledged it. Held that long, the records outlive the young generation: each
 * is copied, promoted, then marked again by the old-generation collector, on the GC threads that
 * compete with gzip and the main thread for the same cores. As bytes they cost none of that
 * (BENCHMARKS.md, docker-logs). The event is decoded back only if something asks for it: the dead
 * letter of a batch the broker refuses. A transport that compresses (`Transport.compress`)
 * swaps in the compressed bytes once they are ready, and only those are kept.
 */
export class EncodedEnvelope implements Envelope {
  readonly ack: Ack;
  readonly sizeBytes: number;
  readonly count: number;
  /** The message to publish, once compressed when it is being compressed (it never rejects). */
  readonly ready: Promise<EncodedMessage>;
  private current: EncodedMessage;

  constructor(from: Envelope, message: EncodedMessage, compressed?: Promise<EncodedMessage>) {
    // Not `from` itself: keeping a reference to it would keep the records alive after all.
    this.ack = from.ack;
    this.sizeBytes = from.sizeBytes;
    this.count = from.count;
    this.current = message;
    // Once compressed, only the compressed bytes are kept.
    this.ready = compressed ? compressed.then((m) => (this.current = m), () => message) : Promise.resolve(message);
  }

  /** The message as it is now: encoded, and compressed once that finished. */
  get message(): EncodedMessage {
    return this.current;
  }

  get event(): Event {
    return eventOf(this.current);
  }
}
