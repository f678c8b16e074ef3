import { gzip } from 'node:zlib';
import { CompressionTypes, Kafka, logLevel, type Admin, type Consumer, type EachBatchPayload, type Producer } from 'kafkajs';
import type { Logger } from 'pino';
import { Ack, envelope, type DeadLetter, type Envelope } from '../event';
import { PermanentError, RetryableError } from '../delivery/errors';
import type { KafkaConfig } from '../config/schema';
import { TOPIC } from '../naming';
import { contentTypeOf, decodeEvent, encodeEvent } from './codec';
import type { EncodedMessage, OutgoingMessage, SubscribeOptions, Subscription, Transport, TransportMessage } from './types';

/** Values smaller than this are left to Kafka's gzip of the whole request (see `compress`). */
const GZIP_AHEAD_MIN_BYTES = 16 * 1024;

/** Hooks for what a consumer cannot handle itself, so they are counted where the process counts. */
export interface KafkaTransportHooks {
  onPoison?(topic: string, reason: string): void;
}

/**
 * Kafka through kafkajs. Producer: acks=all, one request in flight per broker so retries keep
 * partition order; kafkajs's idempotent mode is not used because it is only sound with unbounded
 * client retries, and our sinks bound and classify retries themselves (at-least-once, with
 * deterministic record ids making the consumers idempotent). Consumer: manual offsets — an offset
 * is resolved only after the ack of its message and of every earlier one settled.
 */
export class KafkaTransport implements Transport {
  readonly kind = 'kafka';
  private readonly kafka: Kafka;
  private producer: Producer | undefined;
  private admin: Admin | undefined;
  private readonly consumers = new Set<Consumer>();
  private readonly knownTopics = new Set<string>();

  constructor(
    private readonly config: KafkaConfig,
    private readonly logger: Logger,
    private readonly hooks: KafkaTransportHooks = {},
  ) {
    this.kafka = new Kafka({
      clientId: config.client_id,
      brokers: config.brokers,
      connectionTimeout: config.connection_timeout_ms,
      requestTimeout: config.request_timeout_ms,
      retry: { retries: 5, initialRetryTime: 300, maxRetryTime: 10_000 },
      logLevel: logLevel.WARN,
      logCreator: () => (entry) => this.logger.warn({ kafka: entry.namespace, ...entry.log }, entry.log.message),
    });
  }

  async start(): Promise<void> {
    this.admin = this.kafka.admin();
    await this.admin.connect();
    this.producer = this.kafka.producer({ maxInFlightRequests: 1, allowAutoTopicCreation: false });
    await this.producer.connect();
  }

  encode(message: TransportMessage): EncodedMessage {
    return { key: message.key, value: encodeEvent(message.event), contentType: contentTypeOf(message.event) };
  }

  /**
   * gzip of the value as a whole, in the thread pool, for a message a sink encoded ahead (log
   * batches). Why not kafkajs's gzip of the record batch: that runs as the request is built, with
   * one request in flight per broker, so it sat on the critical path of every produce, after two
   * copies of the batch into zero-filled buffers; done here it overlaps the request before it,
   * and the broker gets a record batch it need not decompress to validate (BENCHMARKS.md,
   * docker-logs). Consumers read it through `decodeEvent`, which gunzips.
   */
  compress(message: EncodedMessage): Promise<EncodedMessage> {
    // Small values (a quiet container's few lines) compress better together, in the request.
    if (this.config.compression !== 'gzip' || message.gzipped || message.value.length < GZIP_AHEAD_MIN_BYTES) return Promise.resolve(message);
    return new Promise((resolve) => {
      gzip(message.value, { level: this.config.compression_level }, (err, value) => resolve(err ? message : { ...message, value, gzipped: true }));
    });
  }

  async publish(topic: string, messages: readonly OutgoingMessage[]): Promise<void> {
    if (!this.producer) throw new RetryableError('kafka transport not started');
    if (messages.length === 0) return;
    await this.ensureTopics([topic]);
    const wires = messages.map((m) => ('value' in m ? m : this.encode(m)));
    // Values gzip'd already are not compressed again; a request of only those goes uncompressed.
    const gzipRequest = this.config.compression === 'gzip' && !wires.every((w) => w.gzipped);
    try {
      await this.producer.send({
        topic,
        acks: -1,
        compression: gzipRequest ? CompressionTypes.GZIP : CompressionTypes.None,
        messages: wires.map((w) => ({
          key: w.key,
          value: w.value,
          headers: w.gzipped ? { 'content-type': w.contentType, 'content-encoding': 'gzip' } : { 'content-type': w.contentType },
        })),
      });
    } catch (err) {
      throw classifyKafkaError(err);
    }
  }

  async subscribe(options: SubscribeOptions): Promise<Subscription> {
    await this.ensureTopics(options.topics);
    const consumer = this.kafka.consumer({
      groupId: options.group,
      allowAutoTopicCreation: false,
      maxBytes: this.config.fetch_max_bytes,
      maxBytesPerPartition: this.config.fetch_max_bytes_per_partition,
    });
    await consumer.connect();
    for (const topic of options.topics) await consumer.subscribe({ topic, fromBeginning: true });
    this.consumers.add(consumer);
    await consumer.run({
      // kafkajs commits only offsets we resolved, and we resolve an offset only after its ack
      // settled: auto-commit here means "commit what was delivered, at least every second".
      autoCommit: true,
      autoCommitInterval: 1000,
      eachBatchAutoResolve: false,
      partitionsConsumedConcurrently: this.config.partitions_consumed_concurrently,
      eachBatch: (payload) => this.consumeBatch(payload, options),
    });
    return { close: (deadline) => this.closeConsumer(consumer, deadline) };
  }

  async shutdown(deadline: number): Promise<void> {
    await Promise.all([...this.consumers].map((c) => this.closeConsumer(c, deadline)));
    await withDeadline(this.producer?.disconnect(), deadline);
    await withDeadline(this.admin?.disconnect(), deadline);
    this.producer = undefined;
    this.admin = undefined;
  }

  /**
   * Creates the topics that do not exist yet (cargoscope owns its topics; auto-creation stays off),
   * then waits until their metadata answers. Several processes starting at once race to create the
   * same topic; the loser briefly gets "does not host this topic-partition", a retriable answer
   * that must not fail the start.
   */
  async ensureTopics(topics: readonly string[]): Promise<void> {
    const missing = topics.filter((t) => !this.knownTopics.has(t));
    if (missing.length === 0) return;
    for (let attempt = 1; ; attempt++) {
      try {
        await this.createMissing(missing);
        for (const t of missing) this.knownTopics.add(t);
        return;
      } catch (err) {
        if (attempt >= TOPIC_ATTEMPTS || (err as { retriable?: unknown }).retriable !== true) throw classifyKafkaError(err);
        await new Promise((resolve) => setTimeout(resolve, 250 * attempt));
      }
    }
  }

  private async createMissing(missing: readonly string[]): Promise<void> {
    if (!this.admin) throw new RetryableError('kafka transport not started');
    const existing = new Set(await this.admin.listTopics());
    const create = missing.filter((t) => !existing.has(t));
    if (create.length > 0) {
      const created = await this.admin.createTopics({
        waitForLeaders: true,
        topics: create.map((topic) => ({ topic, numPartitions: this.config.topic_partitions, replicationFactor: this.config.topic_replication_factor })),
      });
      if (created) this.logger.info({ topics: create }, 'created kafka topics');
    }
    await this.admin.fetchTopicMetadata({ topics: [...missing] });
  }

  private async closeConsumer(consumer: Consumer, deadline: number): Promise<void> {
    if (!this.consumers.delete(consumer)) return;
    await withDeadline(consumer.disconnect(), deadline);
  }

  private async consumeBatch(payload: EachBatchPayload, options: SubscribeOptions): Promise<void> {
    const { batch } = payload;
    const origin = `kafka:${batch.topic}/${batch.partition}`;
    // Offsets with their acks only, not the envelopes: a batch waits here until its last record
    // was delivered, and holding the events would keep the whole decoded fetch alive that long.
    const inFlight: InFlight[] = [];
    const release = new BatchRelease();
    // Heartbeat while the handler waits for buffer room and while acks are pending, so a slow
    // sink pauses consumption instead of getting this member thrown out of the group. A heartbeat
    // refused because the group rebalances (or has already dropped us) means waiting on would keep
    // this member from rejoining until it is evicted and its commits fail: the batch is let go.
    const heartbeat = setInterval(() => {
      if (!payload.isRunning() || payload.isStale()) release.now();
      payload.heartbeat().catch((err: unknown) => {
        if (isMembershipError(err)) release.now();
      });
    }, 3000);
    try {
      const handled = this.decodeAndHandle(payload, options, origin, inFlight);
      handled.catch(() => undefined); // still awaited below unless the batch is let go first
      if ((await Promise.race([handled, release.released])) === RELEASED) return this.letGo(payload);
      if ((await this.resolveInOrder(payload, inFlight, release)) === RELEASED) return this.letGo(payload);
    } finally {
      clearInterval(heartbeat);
    }
  }

  /**
   * What was resolved is committed (when the group still lets us); the rest is read again by the
   * partition's next owner. Envelopes already handed to sinks are still delivered: a replay of them
   * is harmless because records carry deterministic ids.
   */
  private async letGo(payload: EachBatchPayload): Promise<void> {
    const { topic, partition } = payload.batch;
    this.logger.info({ topic, partition }, 'group rebalancing while deliveries were pending: letting the batch go so this member can rejoin');
    await payload.commitOffsetsIfNecessary().catch(() => undefined);
  }

  /**
   * Decodes the batch and hands it on in slices of about HANDOFF_BYTES, each awaited, so the
   * downstream buffers' backpressure holds decoding too. Why: a fetch is bounded in compressed
   * bytes, and a gzip'd log batch decodes into up to ~30x that in records (finding 6 of
   * docs/DRILL.md: a 10 MiB fetch of repetitive lines held ~350 MiB of decoded records at once).
   */
  private async decodeAndHandle(payload: EachBatchPayload, options: SubscribeOptions, origin: string, inFlight: InFlight[]): Promise<void> {
    const { batch } = payload;
    let slice: Envelope[] = [];
    let sliceBytes = 0;
    for (const message of batch.messages) {
      if (!payload.isRunning() || payload.isStale()) break;
      const decoded = decodeEvent(message.value);
      if (decoded.ok) {
        const env = envelope(decoded.event, new Ack());
        slice.push(env);
        sliceBytes += env.sizeBytes;
        inFlight.push({ offset: message.offset, ack: env.ack });
        if (sliceBytes >= HANDOFF_BYTES) {
          await options.handler(slice, origin);
          [slice, sliceBytes] = [[], 0];
        }
      } else {
        await this.deadLetter(batch.topic, `${origin}@${message.offset}`, decoded.reason, decoded.detail, message.value);
        inFlight.push({ offset: message.offset });
      }
    }
    if (slice.length > 0) await options.handler(slice, origin);
  }

  /** Resolves offsets in order as acks settle; on `failed`, rewinds the partition to that message. */
  private async resolveInOrder(payload: EachBatchPayload, inFlight: readonly InFlight[], release: BatchRelease): Promise<typeof RELEASED | undefined> {
    for (const item of inFlight) {
      const outcome = item.ack ? await Promise.race([item.ack.done, release.released]) : 'delivered';
      if (outcome === RELEASED) return RELEASED;
      if (outcome === 'failed') {
        this.logger.warn({ topic: payload.batch.topic, partition: payload.batch.partition, offset: item.offset }, 'delivery failed; the partition will be read again from this offset');
        await payload.commitOffsetsIfNecessary();
        // Throwing makes kafkajs restart the consumer, which resumes at the committed offset.
        throw new RetryableError(`downstream failed at offset ${item.offset}: ${item.ack?.reason ?? ''}`);
      }
      payload.resolveOffset(item.offset);
    }
    await payload.commitOffsetsIfNecessary();
    return undefined;
  }

  private async deadLetter(topic: string, origin: string, reason: string, detail: string, value: Buffer | null): Promise<void> {
    this.hooks.onPoison?.(topic, reason);
    const text = value?.toString('utf8') ?? '';
    const utf8 = value !== null && Buffer.from(text, 'utf8').equals(value);
    const letter: DeadLetter = {
      type: 'deadletter', version: 1, component: `consumer:${topic}`, reason, detail, origin,
      payload: utf8 ? text : (value?.toString('base64') ?? ''), payloadEncoding: utf8 ? 'utf8' : 'base64', atMs: Date.now(),
    };
    // A poison record must not stall the partition, and must not be lost either: its offset is
    // only resolved after the dead letter is durable (this throws — and the batch is retried — if not).
    await this.publish(TOPIC.deadletter, [{ key: origin, event: letter }]);
  }
}

/** How often a start tries to create or find its topics before it fails (about 10 s in all). */
const TOPIC_ATTEMPTS = 8;

const RELEASED = Symbol('released');

/** A consumed message's offset and, when it was decoded, the ack its delivery settles. */
interface InFlight {
  readonly offset: string;
  readonly ack?: Ack;
}

/** Estimated bytes of decoded envelopes handed downstream at a time (see decodeAndHandle). */
const HANDOFF_BYTES = 1024 * 1024;

/** Resolves once the consumer must stop waiting on a batch (see consumeBatch). */
class BatchRelease {
  private resolve: ((value: typeof RELEASED) => void) | undefined;
  readonly released = new Promise<typeof RELEASED>((resolve) => (this.resolve = resolve));

  now(): void {
    this.resolve?.(RELEASED);
  }
}

/** The heartbeat answers that this member's place in the group is changing or gone. */
export function isMembershipError(err: unknown): boolean {
  const type = (err as { type?: unknown } | null)?.type;
  return type === 'REBALANCE_IN_PROGRESS' || type === 'UNKNOWN_MEMBER_ID' || type === 'ILLEGAL_GENERATION' || type === 'FENCED_INSTANCE_ID';
}

export function classifyKafkaError(err: unknown): Error {
  const e = err as { retriable?: boolean; type?: string; message?: string; name?: string };
  const text = `${e.name ?? 'KafkaError'}: ${e.message ?? String(err)}`;
  if (e.type === 'MESSAGE_TOO_LARGE' || e.type === 'INVALID_RECORD' || e.type === 'TOPIC_AUTHORIZATION_FAILED') {
    return new PermanentError(text, `kafka_${e.type.toLowerCase()}`, { cause: err });
  }
  // kafkajs marks most broker and connection errors retriable; treat unknown ones as retryable too,
  // because a broker outage surfaces as a mix of both and giving up would lose data.
  return new RetryableError(text, undefined, { cause: err });
}

async function withDeadline(work: Promise<void> | undefined, deadline: number): Promise<void> {
  if (!work) return;
  let timer: NodeJS.Timeout | undefined;
  await Promise.race([work.catch(() => undefined), new Promise<void>((resolve) => (timer = setTimeout(resolve, Math.max(0, deadline - Date.now()))))]);
  clearTimeout(timer);
}
