import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { Kafka, logLevel } from 'kafkajs';
import { workloadId, type Envelope, type LogBatch } from '../../core/event';
import { silentLogger } from '../../core/telemetry';
import { kafkaSchema } from '../../core/config';
import { KafkaTransport, decodeEvent } from '../../core/transport';
import { TOPIC } from '../../core/naming';
import { metricBatch } from '../helpers/fakes';
import { eventually } from '../helpers/eventually';
import { KAFKA_BROKER, requireServices } from './harness/services';

describe('Kafka transport (real broker)', function () {
  this.timeout(120_000);
  const transports: KafkaTransport[] = [];

  before(async function () {
    await requireServices(this, ['kafka']);
  });

  afterEach(async () => {
    await Promise.all(transports.splice(0).map((t) => t.shutdown(Date.now() + 5000)));
  });

  async function transport(poison: string[] = []): Promise<KafkaTransport> {
    const t = new KafkaTransport(kafkaSchema.parse({ brokers: [KAFKA_BROKER], topic_partitions: 2 }), silentLogger(), {
      onPoison: (_topic, reason) => poison.push(reason),
    });
    transports.push(t);
    await t.start();
    return t;
  }

  async function committed(group: string, topic: string): Promise<number> {
    const admin = new Kafka({ brokers: [KAFKA_BROKER], logLevel: logLevel.NOTHING }).admin();
    await admin.connect();
    try {
      const [offsets] = await admin.fetchOffsets({ groupId: group, topics: [topic] });
      return (offsets?.partitions ?? []).reduce((n, p) => n + Math.max(0, Number(p.offset)), 0);
    } finally {
      await admin.disconnect();
    }
  }

  it('publishes with acks=all and commits offsets only after the acks settle', async () => {
    const topic = `cargoscope.test.${randomUUID()}`;
    const group = `g-${randomUUID()}`;
    const t = await transport();
    const received: Envelope[] = [];
    await t.subscribe({ topics: [topic], group, handler: (envs) => (received.push(...envs), Promise.resolve()) });
    await t.publish(topic, [1, 2, 3].map((n) => ({ key: `w${n}`, event: metricBatch(n) })));
    await eventually(30_000, () => (received.length === 3 ? true : undefined));
    await new Promise((r) => setTimeout(r, 300));
    assert.equal(await committed(group, topic), 0, 'nothing is committed while acks are pending');
    for (const env of received) env.ack.settle('delivered');
    await eventually(30_000, async () => ((await committed(group, topic)) === 3 ? true : undefined));
    assert.deepEqual(received.map((e) => (e.event.type === 'metrics' ? e.event.containers.length : -1)).sort(), [1, 2, 3]);
  });

  it('delivers a message again after its ack failed', async () => {
    const topic = `cargoscope.test.${randomUUID()}`;
    const t = await transport();
    let deliveries = 0;
    await t.subscribe({
      topics: [topic], group: `g-${randomUUID()}`,
      handler: (envs) => {
        for (const env of envs) env.ack.settle(++deliveries === 1 ? 'failed' : 'delivered', 'sink down');
        return Promise.resolve();
      },
    });
    await t.publish(topic, [{ key: 'k', event: metricBatch(1) }]);
    await eventually(60_000, () => (deliveries >= 2 ? true : undefined));
  });

  it('sends a poison record to the dead letter and keeps the partition moving', async () => {
    const topic = `cargoscope.test.${randomUUID()}`;
    const poison: string[] = [];
    const t = await transport(poison);
    await t.ensureTopics([topic, TOPIC.deadletter]);
    const received: Envelope[] = [];
    await t.subscribe({ topics: [topic], group: `g-${randomUUID()}`, handler: (envs) => {
      for (const env of envs) env.ack.settle('delivered');
      received.push(...envs);
      return Promise.resolve();
    } });
    const raw = new Kafka({ brokers: [KAFKA_BROKER], logLevel: logLevel.NOTHING }).producer();
    await raw.connect();
    await raw.send({ topic, messages: [{ key: 'same', value: '{not json' }] });
    await raw.disconnect();
    await t.publish(topic, [{ key: 'same', event: metricBatch(2) }]);
    await eventually(30_000, () => (received.length === 1 ? true : undefined));
    assert.deepEqual(poison, ['unparseable']);

    const letters: string[] = [];
    const reader = new Kafka({ brokers: [KAFKA_BROKER], logLevel: logLevel.NOTHING }).consumer({ groupId: `dl-${randomUUID()}` });
    await reader.connect();
    await reader.subscribe({ topic: TOPIC.deadletter, fromBeginning: true });
    await reader.run({ eachMessage: ({ message }) => {
      const decoded = decodeEvent(message.value);
      if (decoded.ok && decoded.event.type === 'deadletter' && decoded.event.origin.startsWith(`kafka:${topic}/`)) letters.push(decoded.event.reason);
      return Promise.resolve();
    } });
    try {
      await eventually(30_000, () => (letters.length > 0 ? true : undefined));
      assert.deepEqual(letters, ['unparseable']);
    } finally {
      await reader.disconnect();
    }
  });

  it('publishes a message encoded ahead of time (a topic sink\'s buffered log batch) as the same record an event makes', async () => {
    const topic = `cargoscope.test.${randomUUID()}`;
    const t = await transport();
    const received: Envelope[] = [];
    await t.subscribe({ topics: [topic], group: `g-${randomUUID()}`, handler: (envs) => {
      for (const env of envs) env.ack.settle('delivered');
      received.push(...envs);
      return Promise.resolve();
    } });
    const container = {
      node: 'n1', id: 'e'.repeat(64), name: 'enc', image: 'busybox', labels: {}, containerName: 'enc', isSandbox: false,
      workload: { kind: 'standalone' as const, namespace: 'standalone', replicaSet: 'enc', pod: 'enc', id: workloadId('standalone', 'standalone', 'enc') },
    };
    const event: LogBatch = { type: 'logs', version: 1, source: 'logs', container, records: [1, 2].map((n) => ({
      id: `${container.id}:f:${n}`, time: '2026-12-04T19:00:00.000000000Z', stream: 'stdout' as const, message: `line ${n}`, origin: { fileKey: 'f', offset: n, endOffset: n + 1 },
    })) };
    await t.publish(topic, [t.encode({ key: 'k', event }), { key: 'k', event }]);
    await eventually(30_000, () => (received.length === 2 ? true : undefined));
    assert.deepEqual(received.map((e) => e.event), [event, event]);
    // gzip'd ahead (a topic sink's log batch on Kafka): alone in a request, and next to an event.
    const big: LogBatch = { ...event, records: Array.from({ length: 300 }, (_, n) => ({
      id: `${container.id}:f:${n * 100}`, time: '2026-12-04T19:00:00.000000000Z', stream: 'stdout' as const, message: `line ${n} ${'x'.repeat(90)}`, origin: { fileKey: 'f', offset: n * 100, endOffset: n * 100 + 100 },
    })) };
    const compressed = await t.compress(t.encode({ key: 'k', event: big }));
    assert.equal(compressed.gzipped, true);
    assert.deepEqual([compressed.value[0], compressed.value[1]], [0x1f, 0x8b]);
    assert.equal((await t.compress(t.encode({ key: 'k', event }))).gzipped, undefined, 'a small value is left to the request\'s gzip');
    await t.publish(topic, [compressed]);
    await t.publish(topic, [compressed, { key: 'k', event }]);
    await eventually(30_000, () => (received.length === 5 ? true : undefined));
    assert.deepEqual(received.map((e) => e.event), [event, event, big, big, event]);
  });

  // docs/DRILL.md finding 6: a whole fetch decoded at once held ~350 MiB of records before the
  // sink buffer could push back; slices of ~1 MiB (estimated) keep decoding under that backpressure.
  it('hands a large fetch downstream in slices of about 1 MiB, so downstream backpressure bounds what is decoded', async () => {
    const topic = `cargoscope.test.${randomUUID()}`;
    const t = await transport();
    const calls: number[] = [];
    let records = 0;
    await t.subscribe({ topics: [topic], group: `g-${randomUUID()}`, handler: (envs) => {
      calls.push(envs.reduce((n, e) => n + e.sizeBytes, 0));
      for (const env of envs) {
        records += env.count;
        env.ack.settle('delivered');
      }
      return Promise.resolve();
    } });
    const container = {
      node: 'n1', id: 'b'.repeat(64), name: 'big', image: 'busybox', labels: {}, containerName: 'big', isSandbox: false,
      workload: { kind: 'standalone' as const, namespace: 'standalone', replicaSet: 'big', pod: 'big', id: workloadId('standalone', 'standalone', 'big') },
    };
    // 24 batches × 2000 records × ~100 B, one key: one partition, fetched in a few large kafkajs batches.
    const batches: LogBatch[] = Array.from({ length: 24 }, (_, b) => ({
      type: 'logs', version: 1, source: 'logs', container,
      records: Array.from({ length: 2000 }, (_, i) => {
        const offset = (b * 2000 + i) * 100;
        return { id: `${container.id}:f:${offset}`, time: '2026-12-03T14:00:00.000000000Z', stream: 'stdout' as const, message: `${randomUUID()} ${randomUUID()} line ${offset}`, origin: { fileKey: 'f', offset, endOffset: offset + 100 } };
      }),
    }));
    await t.publish(topic, batches.map((event) => ({ key: 'big', event })));
    await eventually(60_000, () => (records === 24 * 2000 ? true : undefined));
    const one = Math.max(...batches.map((b) => b.records.reduce((n, r) => n + r.message.length + 160, 512)));
    assert.ok(Math.max(...calls) < 1024 * 1024 + one, `a hand-off of ${Math.max(...calls)} estimated bytes (calls: ${calls.join(', ')})`);
    assert.ok(calls.length >= 8, `${calls.length} hand-offs for ~${(calls.reduce((a, b) => a + b, 0) / 2 ** 20).toFixed(1)} MiB`);
  });
});
