import { z } from 'zod';
import type { ComponentContext, ComponentFactory, PartialSendResult, Sink, Source, SourceContext } from '../component/types';
import type { ContainerMetrics, Envelope, Event } from '../event';
import { EncodedEnvelope } from './encoded';
import type { OutgoingMessage, Subscription, TransportMessage } from './types';

/**
 * How a batch is split into keyed messages. `workload`: one message per workload of a metrics
 * scrape, so one aggregator owns a whole replica set; `container`: log batches by container id
 * (per-stream order); `none`: one message, keyed by node.
 */
const keyModes = ['workload', 'container', 'none'] as const;
type KeyMode = (typeof keyModes)[number];

export function toMessages(event: Event, mode: KeyMode): TransportMessage[] {
  if (event.type === 'metrics' && mode === 'workload') {
    const byWorkload = new Map<string, ContainerMetrics[]>();
    for (const c of event.containers) {
      const key = c.container.workload.id;
      const list = byWorkload.get(key);
      if (list) list.push(c);
      else byWorkload.set(key, [c]);
    }
    const messages: TransportMessage[] = [...byWorkload].map(([key, containers]) => ({ key, event: { ...event, containers, machine: [] } }));
    // Machine-level samples travel once per scrape, keyed by node.
    if (event.machine && event.machine.length > 0) messages.push({ key: event.node, event: { ...event, containers: [] } });
    return messages;
  }
  if (event.type === 'logs' && mode !== 'none') return [{ key: event.container.id, event }];
  return [{ key: keyOf(event), event }];
}

const topicSinkSchema = z.strictObject({
  topic: z.string().min(1),
  key: z.enum(keyModes).default('none'),
  /** Only these event types are published; others are acknowledged and skipped (empty = all). */
  event_types: z.array(z.enum(['metrics', 'logs', 'rollups', 'deadletter'])).default([]),
});

class TopicSink implements Sink {
  private ctx: ComponentContext | undefined;

  constructor(private readonly options: z.infer<typeof topicSinkSchema>) {}

  start(ctx: ComponentContext): Promise<void> {
    this.ctx = ctx;
    return Promise.resolve();
  }

  /**
   * Log batches are encoded as they arrive, where the transport has a wire form (Kafka): what
   * waits for the broker is then bytes, not records (see EncodedEnvelope). Only logs: they are the
   * volume, and each is one message, while a metrics scrape splits into one per workload.
   */
  prepare(env: Envelope): Envelope {
    const transport = this.ctx?.transport;
    if (!transport?.encode || env.event.type !== 'logs' || !this.wants(env.event)) return env;
    const [message] = toMessages(env.event, this.options.key);
    if (!message) return env;
    const encoded = transport.encode(message);
    return new EncodedEnvelope(env, encoded, transport.compress?.(encoded));
  }

  async send(batch: readonly Envelope[], signal: AbortSignal): Promise<PartialSendResult | void> {
    if (!this.ctx) throw new Error('topic sink used before start');
    const parts = await Promise.all(batch.map(async (env): Promise<OutgoingMessage[]> => {
      if (env instanceof EncodedEnvelope) return [await env.ready];
      return this.wants(env.event) ? toMessages(env.event, this.options.key) : [];
    }));
    const messages = parts.flat();
    await this.ctx.transport.publish(this.options.topic, messages, signal);
  }

  private wants(event: Event): boolean {
    const wanted = this.options.event_types;
    return wanted.length === 0 || wanted.includes(event.type);
  }

  shutdown(): Promise<void> {
    return Promise.resolve();
  }
}

export const topicSinkFactory: ComponentFactory<'sink', z.infer<typeof topicSinkSchema>> = {
  type: 'topic',
  kind: 'sink',
  description: 'Publishes batches to a topic of the configured transport (Kafka or the in-process bus).',
  schema: topicSinkSchema,
  // A producer's linger (librdkafka's `linger.ms` is 5 ms), not a bulk loader's second: what
  // arrives while a request is out joins the next one anyway, and log batches come batched. A
  // 1 s wait held every scrape and the last batch of a burst back by up to a second.
  deliveryDefaults: { batch: { timeout_ms: 5 } },
  create: (options) => new TopicSink(options),
};

const topicSourceSchema = z.strictObject({
  topics: z.array(z.string().min(1)).min(1),
  group: z.string().min(1).default('cargoscope-aggregator'),
});

class TopicSource implements Source {
  private subscription: Subscription | undefined;
  private stopped = false;

  constructor(private readonly options: z.infer<typeof topicSourceSchema>) {}

  async start(ctx: SourceContext): Promise<void> {
    if (this.stopped) return;
    this.subscription = await ctx.transport.subscribe({
      topics: this.options.topics,
      group: this.options.group,
      handler: async (envelopes) => {
        // The transport made the acks; emitting with them ties its commit to our sinks' delivery.
        for (const env of envelopes) await ctx.emit(env.event, env.ack);
      },
    });
  }

  async shutdown(deadline: number): Promise<void> {
    this.stopped = true;
    const sub = this.subscription;
    this.subscription = undefined;
    await sub?.close(deadline);
  }
}

export const topicSourceFactory: ComponentFactory<'source', z.infer<typeof topicSourceSchema>> = {
  type: 'topic',
  kind: 'source',
  description: 'Consumes topics of the configured transport as a consumer group; positions advance after delivery.',
  schema: topicSourceSchema,
  create: (options) => new TopicSource(options),
};

function keyOf(event: Event): string {
  switch (event.type) {
    case 'metrics':
      return event.node;
    case 'logs':
      return event.container.node;
    case 'rollups':
      return event.source;
    case 'deadletter':
      return event.component;
  }
}
