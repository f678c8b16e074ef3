import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import path from 'node:path';
import { promisify } from 'node:util';
import { Client } from '@elastic/elasticsearch';
import { kafkaSchema } from '../../core/config';
import { workloadId, type LogBatch } from '../../core/event';
import { silentLogger } from '../../core/telemetry';
import { KafkaTransport } from '../../core/transport';
import { eventually } from '../helpers/eventually';
import { restart, startCargoscope, type CargoscopeProcess } from '../helpers/processes';
import { ELASTICSEARCH_URL, KAFKA_BROKER, repoRoot, requireServices } from './harness/services';

const exec = promisify(execFile);
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
  this.timeout(480_000);
  const es = new Client({ node: ELASTICSEARCH_URL });
  const processes: CargoscopeProcess[] = [];
  const namespaces: string[] = [];

  before(async function () {
    await requireServices(this, ['kafka', 'elasticsearch']);
  });

  after(async () => {
    await Promise.all(processes.map((p) => p.stop('SIGKILL')));
    for (const namespace of namespaces) {
      await es.indices.deleteDataStream({ name: `logs-cargoscope-${namespace}` }).catch(() => undefined);
      await es.indices.delete({ index: `.ds-logs-cargoscope-${namespace}-*` }).catch(() => undefined);
    }
    await es.close();
  });

  /** A fresh namespace (hence data stream), topic and consumer group per test. */
  function scenario() {
    const namespace = `it-${randomUUID().slice(0, 8)}`;
    namespaces.push(namespace);
    const topic = `cargoscope.it.logs.${namespace}`;
    const index = `logs-cargoscope-${namespace}`;
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
    const indexed = async (): Promise<number> => {
      await es.indices.refresh({ index }).catch(() => undefined);
      const res = await es.count({ index }).catch(() => ({ count: 0 }));
      return res.count;
    };
    const produce = async (): Promise<void> => {
      const producer = new KafkaTransport(kafkaSchema.parse({ brokers: [KAFKA_BROKER], topic_partitions: 4 }), silentLogger());
      await producer.start();
      try {
        for (let from = 0; from < PER_CONTAINER; from += PER_BATCH) {
          await producer.publish(topic, Array.from({ length: CONTAINERS }, (_, c) => {
            const event = batch(namespace, c, from);
            return { key: event.container.id, event };
          }));
        }
      } finally {
        await producer.shutdown(Date.now() + 5000);
      }
    };
    const start = (): CargoscopeProcess => {
      const p = startCargoscope('aggregator', config);
      processes.push(p);
      return p;
    };
    return { namespace, index, indexed, produce, start };
  }

  async function assertNoDuplicates(index: string): Promise<void> {
    await es.indices.refresh({ index });
    const dupes = await es.search({ index, size: 0, aggs: { ids: { terms: { field: 'event.id', min_doc_count: 2, size: 10 } } } });
    const buckets = (dupes.aggregations?.ids as { buckets: unknown[] } | undefined)?.buckets ?? [];
    assert.deepEqual(buckets, [], 'no record id is indexed twice');
  }

  const logsOf = (): string => processes.map((p) => `--- ${p.mode}\n${p.log.slice(-3000)}`).join('\n');

  it('survives a SIGKILL mid-stream and a full replay: count produced == count indexed, no duplicate ids', async () => {
    const { namespace, index, indexed, produce, start } = scenario();
    const total = CONTAINERS * PER_CONTAINER;
    await produce();
    let aggregator = start();
    await eventually(120_000, async () => ((await indexed()) > total / 5 ? true : undefined), 50);
    await aggregator.stop('SIGKILL');
    const atKill = await indexed();
    assert.ok(atKill < total, `the kill should land mid-stream (had ${atKill} of ${total})`);

    aggregator = restart(aggregator);
    processes.push(aggregator);
    await eventually(180_000, async () => ((await indexed()) === total ? true : undefined), 500).catch((err: Error) => {
      throw new Error(`${err.message}; logs:\n${logsOf()}`);
    });

    // A replay of everything (a producer retry, or a consumer rewound) must change nothing.
    await produce();
    const deadline = Date.now() + 15_000;
    while (Date.now() < deadline) assert.equal(await indexed(), total);
    await assertNoDuplicates(index);
    const sample = await es.search<Record<string, unknown>>({ index, size: 1, query: { term: { 'event.id': `c0-${namespace}:file:0` } } });
    const doc = sample.hits.hits[0]?._source;
    assert.equal(doc?.message, `line 0 of c0-${namespace}`);
    assert.deepEqual(doc?.kubernetes, { namespace, pod: { name: 'web-1-0' }, replicaset: { name: 'web-1' } });
  });

  it('loses and duplicates nothing through a rebalance (a second aggregator joins, then leaves) and 30 s without Elasticsearch', async () => {
    const { index, indexed, produce, start } = scenario();
    const total = CONTAINERS * PER_CONTAINER;
    await produce();
    start();
    await eventually(120_000, async () => ((await indexed()) > total / 10 ? true : undefined), 50);
    const second = start(); // same group: the partitions are shared out again
    await eventually(120_000, async () => ((await indexed()) > total * 0.3 ? true : undefined), 50);
    await services('down', 'elasticsearch');
    const downSince = Date.now();
    // The outage's length is the test's input, not a synchronisation: hold it for 30 s.
    await new Promise((r) => setTimeout(r, Math.max(0, 30_000 - (Date.now() - downSince))));
    await services('up', 'elasticsearch');
    await second.stop('SIGTERM'); // and leaves again
    await eventually(240_000, async () => ((await indexed()) === total ? true : undefined), 1000).catch(async (err: Error) => {
      throw new Error(`${err.message} (indexed ${await indexed()} of ${total}); logs:\n${logsOf()}`);
    });
    await assertNoDuplicates(index);
  });
});

async function services(verb: 'up' | 'down', name: string): Promise<void> {
  await exec('bash', [path.join(repoRoot(), 'scripts', 'services.sh'), verb, name], { timeout: 300_000 });
}
