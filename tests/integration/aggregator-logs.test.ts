import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { Client } from '@elastic/elasticsearch';
import { kafkaSchema } from '../../core/config';
import { workloadId, type LogBatch } from '../../core/event';
import { silentLogger } from '../../core/telemetry';
import { KafkaTransport } from '../../core/transport';
import { eventually } from '../helpers/eventually';
import { restart, startCargoscope, type CargoscopeProcess } from '../helpers/processes';
import { ELASTICSEARCH_URL, KAFKA_BROKER, requireServices } from './harness/services';

const CONTAINERS = 4;
const PER_CONTAINER = 5000;
const PER_BATCH = 250;

function batch(namespace: string, container: number, from: number): LogBatch {
  const id = `c${container}-${namespace}`;
  return {
    type: 'logs', version: 1, source: 'test',
    container: {
      node: 'node-a', id, name: id, image: 'busybox', labels: {}, containerName: id, isSandbox: false,
      workload: { kind: 'kubernetes', namespace, replicaSet: 'web-1', pod: `web-1-${container}`, id: workloadId('kubernetes', namespace, 'web-1') },
    },
    records: Array.from({ length: PER_BATCH }, (_, i) => {
      const n = from + i;
      return { id: `${id}:file:${n * 100}`, time: new Date(1_795_000_000_000 + n).toISOString(), stream: 'stdout' as const, message: `line ${n} of ${id}`, origin: { fileKey: 'file', offset: n * 100, endOffset: n * 100 + 100 } };
    }),
  };
}

describe('aggregator: logs from Kafka into Elasticsearch exactly once (real Kafka, real ES)', function () {
  this.timeout(300_000);
  const namespace = `it-${randomUUID().slice(0, 8)}`;
  const topic = `cargoscope.it.logs.${namespace}`;
  const index = `logs-cargoscope-${namespace}`;
  const es = new Client({ node: ELASTICSEARCH_URL });
  let aggregator: CargoscopeProcess | undefined;

  before(async function () {
    await requireServices(this, ['kafka', 'elasticsearch']);
  });

  after(async () => {
    await aggregator?.stop('SIGKILL');
    await es.indices.deleteDataStream({ name: index }).catch(() => undefined);
    await es.indices.delete({ index: `.ds-${index}-*` }).catch(() => undefined);
    await es.close();
  });

  const config = `
transport:
  type: kafka
  kafka: { brokers: ["${KAFKA_BROKER}"], topic_partitions: 4 }
api: { listen: "127.0.0.1:0" }
sources:
  logs_in: { type: topic, topics: ["${topic}"], group: "it-${namespace}" }
sinks:
  elasticsearch:
    type: elasticsearch
    inputs: [logs_in]
    endpoints: ["${ELASTICSEARCH_URL}"]
    batch: { max_events: 2000, timeout_ms: 200 }
    concurrency: 2
`;

  async function indexed(): Promise<number> {
    await es.indices.refresh({ index }).catch(() => undefined);
    const res = await es.count({ index }).catch(() => ({ count: 0 }));
    return res.count;
  }

  it('survives a SIGKILL mid-stream and a full replay: count produced == count indexed, no duplicate ids', async () => {
    const producer = new KafkaTransport(kafkaSchema.parse({ brokers: [KAFKA_BROKER], topic_partitions: 4 }), silentLogger());
    await producer.start();
    const total = CONTAINERS * PER_CONTAINER;
    const produce = async (): Promise<void> => {
      for (let from = 0; from < PER_CONTAINER; from += PER_BATCH) {
        await producer.publish(topic, Array.from({ length: CONTAINERS }, (_, c) => {
          const event = batch(namespace, c, from);
          return { key: event.container.id, event };
        }));
      }
    };
    try {
      await produce();
      aggregator = startCargoscope('aggregator', config);
      await eventually(120_000, async () => ((await indexed()) > total / 5 ? true : undefined), 50);
      await aggregator.stop('SIGKILL');
      const atKill = await indexed();
      assert.ok(atKill < total, `the kill should land mid-stream (had ${atKill} of ${total})`);

      aggregator = restart(aggregator);
      await eventually(180_000, async () => ((await indexed()) === total ? true : undefined), 500).catch((err: Error) => {
        throw new Error(`${err.message}; aggregator log:\n${aggregator?.log ?? ''}`);
      });

      // A replay of everything (a producer retry, or a consumer rewound) must change nothing.
      await produce();
      const deadline = Date.now() + 15_000;
      while (Date.now() < deadline) assert.equal(await indexed(), total);
    } finally {
      await producer.shutdown(Date.now() + 5000);
    }
    await es.indices.refresh({ index });
    const dupes = await es.search({ index, size: 0, aggs: { ids: { terms: { field: 'event.id', min_doc_count: 2, size: 10 } } } });
    const buckets = (dupes.aggregations?.ids as { buckets: unknown[] } | undefined)?.buckets ?? [];
    assert.deepEqual(buckets, [], 'no record id is indexed twice');
    const sample = await es.search<Record<string, unknown>>({ index, size: 1, query: { term: { 'event.id': `c0-${namespace}:file:0` } } });
    const doc = sample.hits.hits[0]?._source;
    assert.equal(doc?.message, `line 0 of c0-${namespace}`);
    assert.deepEqual(doc?.kubernetes, { namespace, pod: { name: 'web-1-0' }, replicaset: { name: 'web-1' } });
  });
});
