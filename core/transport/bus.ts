import { Ack, envelope, type AckOutcome } from '../event';
import { RetryableError } from '../delivery/errors';
import { eventOf } from './encoded';
import type { OutgoingMessage, SubscribeOptions, Subscription, Transport } from './types';

interface Group {
  readonly name: string;
  readonly handler: SubscribeOptions['handler'];
  closed: boolean;
}

/**
 * The embedded transport: topics are in-process fan-out points with consumer groups. There is no
 * log to replay from, so durability is end to end instead: `publish` resolves only when every
 * group's pipeline has settled the envelopes, and a `failed` outcome makes `publish` reject, so
 * the publisher keeps the data and retries — the same guarantee Kafka's acks give, one hop later.
 * Backpressure is natural: the handler awaits room in the downstream buffers.
 */
export class InProcessBus implements Transport {
  readonly kind = 'bus';
  private readonly topics = new Map<string, Group[]>();
  private stopped = false;

  start(): Promise<void> {
    return Promise.resolve();
  }

  async publish(topic: string, messages: readonly OutgoingMessage[]): Promise<void> {
    if (this.stopped) throw new RetryableError('bus is shut down');
    const groups = (this.topics.get(topic) ?? []).filter((g) => !g.closed);
    // Like a Kafka topic without consumers: the data is accepted; nobody is waiting to read it.
    if (groups.length === 0 || messages.length === 0) return;
    const outcomes = await Promise.all(groups.map((group) => this.deliverToGroup(group, topic, messages)));
    const failed = outcomes.find((o) => o.outcome === 'failed');
    if (failed) throw new RetryableError(`bus consumer could not deliver: ${failed.reason ?? 'unknown reason'}`);
  }

  subscribe(options: SubscribeOptions): Promise<Subscription> {
    const group: Group = { name: options.group, handler: options.handler, closed: false };
    for (const topic of options.topics) {
      const list = this.topics.get(topic) ?? [];
      if (list.some((g) => g.name === options.group && !g.closed)) {
        return Promise.reject(new Error(`group '${options.group}' already subscribed to ${topic} on the bus`));
      }
      list.push(group);
      this.topics.set(topic, list);
    }
    return Promise.resolve({
      close: () => {
        group.closed = true;
        return Promise.resolve();
      },
    });
  }

  shutdown(): Promise<void> {
    this.stopped = true;
    return Promise.resolve();
  }

  private async deliverToGroup(group: Group, topic: string, messages: readonly OutgoingMessage[]): Promise<{ outcome: AckOutcome; reason?: string }> {
    const envelopes = messages.map((m) => envelope(eventOf(m), new Ack()));
    await group.handler(envelopes, `bus:${topic}`);
    const outcomes = await Promise.all(envelopes.map((e) => e.ack.done));
    const failedAt = outcomes.indexOf('failed');
    if (failedAt >= 0) return { outcome: 'failed', reason: envelopes[failedAt]?.ack.reason };
    return { outcome: 'delivered' };
  }
}
