import assert from 'node:assert/strict';
import { Registry } from 'prom-client';
import type { ComponentContext, Sink } from '../../../core/component/types';
import { SinkRunner } from '../../../core/delivery/sink-runner';
import { Ack, envelope, workloadId, type Envelope, type LogBatch } from '../../../core/event';
import { ComponentTelemetry } from '../../../core/telemetry/component-telemetry';
import { SelfMetrics } from '../../../core/telemetry/self-metrics';
import { silentLogger } from '../../../core/telemetry';
import { decodeEvent, EncodedEnvelope, encodeEvent, eventOf, InProcessBus, topicSinkFactory, type EncodedMessage, type OutgoingMessage, type Transport, type TransportMessage } from '../../../core/transport';
import { metricBatch } from '../../helpers/fakes';
import { gunzipSync, gzipSync } from 'node:zlib';

const CONTAINER = 'c'.repeat(64);

function logBatch(lines: number): LogBatch {
  return {
    type: 'logs', version: 1, source: 'logs',
    container: {
      node: 'n1', id: CONTAINER, name: 'web', image: 'busybox', labels: {}, containerName: 'web', isSandbox: false,
      workload: { kind: 'standalone', namespace: 'standalone', replicaSet: 'web', pod: 'web', id: workloadId('standalone', 'standalone', 'web') },
    },
    records: Array.from({ length: lines }, (_, i) => ({
      id: `${CONTAINER}:f:${i * 10}`, time: `2026-12-04T19:00:00.${String(i).padStart(9, '0')}Z`, stream: 'stdout' as const, message: `line ${i}`,
      origin: { fileKey: 'f', offset: i * 10, endOffset: i * 10 + 10 },
    })),
  };
}

/** A transport with a wire form, like Kafka's, that records what it was asked to publish. */
class WireTransport implements Transport {
  readonly kind = 'kafka';
  readonly published: OutgoingMessage[] = [];
  encoded = 0;

  encode(message: TransportMessage): EncodedMessage {
    this.encoded += 1;
    return { key: message.key, value: encodeEvent(message.event), contentType: 'test' };
  }

  publish(_topic: string, messages: readonly OutgoingMessage[]): Promise<void> {
    this.published.push(...messages);
    return Promise.resolve();
  }

  start = (): Promise<void> => Promise.resolve();
  subscribe = (): Promise<never> => Promise.reject(new Error('not in this test'));
  shutdown = (): Promise<void> => Promise.resolve();
}

function context(transport: Transport): ComponentContext {
  const telemetry = new ComponentTelemetry(new SelfMetrics(new Registry()), { id: 'out', type: 'topic', kind: 'sink' });
  return {
    id: 'out', type: 'topic', kind: 'sink', node: 'n1', dataDir: '/tmp', logger: silentLogger(), telemetry, transport,
    exposition: { addMetrics: () => undefined }, deadLetter: () => Promise.resolve(),
  };
}

async function topicSink(transport: Transport, options: Record<string, unknown> = {}): Promise<Sink> {
  const sink = topicSinkFactory.create(topicSinkFactory.schema.parse({ topic: 't', key: 'container', ...options }), { id: 'out', node: 'n1' });
  await sink.start(context(transport));
  return sink;
}

describe('topic sink: log batches wait as bytes', () => {
  it('encodes a log batch as it enters the buffer and publishes exactly those bytes', async () => {
    const transport = new WireTransport();
    const sink = await topicSink(transport);
    const original = envelope(logBatch(3), new Ack());
    const prepared = sink.prepare?.(original);
    assert.ok(prepared instanceof EncodedEnvelope, 'a log batch is held encoded');
    assert.equal(transport.encoded, 1);
    assert.equal(prepared.ack, original.ack);
    assert.equal(prepared.count, 3);
    assert.equal(prepared.sizeBytes, original.sizeBytes);
    // The point of it: nothing in the prepared envelope still reaches the records.
    assert.ok(!Object.values(prepared).includes(original.event));
    await sink.send([prepared], new AbortController().signal);
    assert.equal(transport.encoded, 1, 'not encoded a second time at send');
    assert.equal(transport.published.length, 1);
    assert.equal(transport.published[0], prepared.message);
    assert.equal(prepared.message.key, CONTAINER, 'keyed by container');
    assert.deepEqual(eventOf(prepared.message), original.event);
  });

  it('gives the event back when asked (a dead letter), decoded from the bytes', async () => {
    const sink = await topicSink(new WireTransport());
    const original = envelope(logBatch(2), new Ack());
    const prepared = sink.prepare?.(original);
    assert.deepEqual(prepared?.event, original.event);
  });

  it('leaves metrics, unwanted types and transports without a wire form alone', async () => {
    const wire = new WireTransport();
    const sink = await topicSink(wire);
    const metrics = envelope(metricBatch(2), new Ack());
    assert.equal(sink.prepare?.(metrics), metrics, 'metrics split into several messages at send');
    const metricsOnly = await topicSink(wire, { event_types: ['metrics'] });
    const logs = envelope(logBatch(1), new Ack());
    assert.equal(metricsOnly.prepare?.(logs), logs);
    await metricsOnly.send([logs], new AbortController().signal);
    assert.equal(wire.published.length, 0, 'an unwanted type is not published');
    const onBus = await topicSink(new InProcessBus());
    assert.equal(onBus.prepare?.(logs), logs, 'the bus carries events as objects');
    assert.equal(wire.encoded, 0);
  });

  it('the bus still delivers an encoded message, as its event', async () => {
    const bus = new InProcessBus();
    const got: Envelope[] = [];
    await bus.subscribe({ topics: ['t'], group: 'g', handler: (envs) => (got.push(...envs), envs.forEach((e) => e.ack.settle('delivered')), Promise.resolve()) });
    const event = logBatch(2);
    await bus.publish('t', [{ key: 'k', value: encodeEvent(event), contentType: 'test' }]);
    assert.equal(got.length, 1);
    assert.deepEqual(got[0]?.event, event);
  });

  it('the sink runner buffers what prepare returned and sends that', async () => {
    const sent: Envelope[] = [];
    const swapped = new Map<Envelope, Envelope>();
    const sink: Sink = {
      start: () => Promise.resolve(),
      shutdown: () => Promise.resolve(),
      prepare: (env) => {
        const other = envelope(metricBatch(1), env.ack);
        swapped.set(other, env);
        return other;
      },
      send: (batch) => (sent.push(...batch), Promise.resolve()),
    };
    const telemetry = new ComponentTelemetry(new SelfMetrics(new Registry()), { id: 's', type: 'test', kind: 'sink' });
    const runner = new SinkRunner(sink, {
      buffer: { maxEvents: 10, maxBytes: 1 << 20, whenFull: 'block' }, batch: { maxEvents: 10, maxBytes: 1 << 20, timeoutMs: 0 },
      retry: { maxAttempts: 1, initialBackoffMs: 1, maxBackoffMs: 1, multiplier: 1, jitter: 0, deadlineMs: 1000 }, requestTimeoutMs: 1000, concurrency: 1,
    }, telemetry, silentLogger());
    const original = envelope(logBatch(1), new Ack());
    await runner.accept(original);
    runner.start();
    assert.equal(await original.ack.done, 'delivered');
    assert.equal(sent.length, 1);
    assert.equal(swapped.get(sent[0] as Envelope), original, 'the prepared stand-in was sent, not the original');
    await runner.shutdown(Date.now() + 1000);
  });

  it('compresses a log batch ahead when the transport can, and publishes the compressed bytes in order', async () => {
    const transport = new (class extends WireTransport {
      compressed = 0;
      compress(message: EncodedMessage): Promise<EncodedMessage> {
        this.compressed += 1;
        // The first finishes last: the sink must still publish in the order it was given.
        const delay = this.compressed === 1 ? 30 : 0;
        return new Promise((resolve) => setTimeout(() => resolve({ ...message, value: gzipSync(message.value), gzipped: true }), delay));
      }
    })();
    const sink = await topicSink(transport);
    const batches = [logBatch(2), logBatch(3)];
    const prepared = batches.map((b) => sink.prepare?.(envelope(b, new Ack())) as EncodedEnvelope);
    assert.equal(prepared[0]?.message.gzipped, undefined, 'the encoded bytes stand in until compression finishes');
    await sink.send(prepared, new AbortController().signal);
    assert.equal(transport.compressed, 2);
    const published = transport.published as EncodedMessage[];
    assert.deepEqual(published.map((m) => m.gzipped), [true, true]);
    assert.deepEqual(published.map((m) => decodeEvent(gunzipSync(m.value))), batches.map((event) => ({ ok: true, event })));
    assert.deepEqual(prepared[1]?.event, batches[1], 'the event reads back from the compressed bytes');
  });

  it('publishes the encoded bytes when compressing fails', async () => {
    const transport = new (class extends WireTransport {
      compress(): Promise<EncodedMessage> {
        return Promise.reject(new Error('zlib failed'));
      }
    })();
    const sink = await topicSink(transport);
    const prepared = sink.prepare?.(envelope(logBatch(2), new Ack())) as EncodedEnvelope;
    await sink.send([prepared], new AbortController().signal);
    assert.deepEqual((transport.published[0] as EncodedMessage).value, encodeEvent(logBatch(2)));
  });
});

describe('gzip\'d values', () => {
  it('decode as the event inside, and a damaged or nested gzip is malformed, never a throw', () => {
    const event = logBatch(4);
    assert.deepEqual(decodeEvent(gzipSync(encodeEvent(event))), { ok: true, event });
    const metrics = metricBatch(2);
    assert.deepEqual(decodeEvent(gzipSync(encodeEvent(metrics))), { ok: true, event: metrics });
    const damaged = gzipSync(encodeEvent(event));
    const at = damaged.length - 6;
    damaged[at] = (damaged[at] as number) ^ 0xff;
    const bad = decodeEvent(damaged);
    assert.ok(!bad.ok && bad.reason === 'malformed', JSON.stringify(bad));
    const nested = decodeEvent(gzipSync(gzipSync(encodeEvent(event))));
    assert.ok(!nested.ok && nested.reason === 'malformed' && /another gzip/.test(nested.detail));
    const truncated = decodeEvent(Buffer.from([0x1f, 0x8b, 0x08]));
    assert.ok(!truncated.ok && truncated.reason === 'malformed');
  });
});
