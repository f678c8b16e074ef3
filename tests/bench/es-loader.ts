/**
 * The peer of the Kafka → Elasticsearch benchmark (es.bench.ts): the simplest correct loader.
 * A plain kafkajs consumer reads the topic; each fetched batch becomes ECS documents (`toEcs`) with
 * the same `create` + `_id` operations as the elasticsearch sink's `buildBulk`, sent with
 * `client.bulk` in requests of at most `batchEvents` documents / `batchBytes` value bytes, at most
 * `concurrency` in flight across partitions; offsets are committed once their documents are in.
 * Runs as its own process so it pays the same process, GC and event-loop costs as ours:
 *   node dist/tests/bench/es-loader.js '<LoaderOptions as JSON>'
 */
import { Client } from '@elastic/elasticsearch';
import { Kafka, logLevel, type EachBatchPayload } from 'kafkajs';
import { toEcs } from '../../aggregator/ecs';
import type { LogBatch } from '../../core/event';
import { decodeEvent } from '../../core/transport';

export interface LoaderOptions {
  readonly brokers: string[];
  readonly elasticsearch: string;
  readonly topic: string;
  readonly group: string;
  /** Data streams are `<prefix>-<namespace>`, as the sink names them. */
  readonly prefix: string;
  readonly batchEvents: number;
  readonly batchBytes: number;
  readonly concurrency: number;
  readonly partitionsConsumedConcurrently: number;
  readonly fetchMaxBytes: number;
  readonly fetchMaxBytesPerPartition: number;
}

/** Counts permits for bulk requests in flight across all partitions. */
class Permits {
  private waiters: Array<() => void> = [];
  constructor(private free: number) {}

  async acquire(): Promise<void> {
    if (this.free > 0) {
      this.free -= 1;
      return;
    }
    await new Promise<void>((resolve) => this.waiters.push(resolve));
  }

  release(): void {
    const next = this.waiters.shift();
    if (next) next();
    else this.free += 1;
  }
}

interface Bulk {
  operations: unknown[];
}

function bulksOf(payload: EachBatchPayload, options: LoaderOptions): Bulk[] {
  const bulks: Bulk[] = [];
  let operations: unknown[] = [];
  let docs = 0;
  let bytes = 0;
  for (const message of payload.batch.messages) {
    if (!message.value) continue;
    // The same wire decoding as cargoscope's consumer (logs wire format 2), so both pay for it.
    const decoded = decodeEvent(message.value);
    if (!decoded.ok || decoded.event.type !== 'logs') throw new Error(`not a log batch: ${decoded.ok ? decoded.event.type : decoded.detail}`);
    const batch: LogBatch = decoded.event;
    const index = `${options.prefix}-${batch.container.workload.namespace}`;
    for (const record of batch.records) operations.push({ create: { _index: index, _id: record.id } }, toEcs(batch, record));
    docs += batch.records.length;
    bytes += message.value.length;
    if (docs >= options.batchEvents || bytes >= options.batchBytes) {
      bulks.push({ operations });
      operations = [];
      docs = 0;
      bytes = 0;
    }
  }
  if (operations.length > 0) bulks.push({ operations });
  return bulks;
}

/** Sends one bulk; items refused with 429/5xx are sent again (409 means already there). */
async function send(client: Client, bulk: Bulk): Promise<void> {
  let operations = bulk.operations;
  for (let attempt = 0; attempt < 20; attempt += 1) {
    const response = await client.bulk({ operations });
    if (!response.errors) return;
    const again: unknown[] = [];
    response.items.forEach((item, i) => {
      const status = item.create?.status ?? 500;
      if (status === 429 || status >= 500) again.push(operations[2 * i], operations[2 * i + 1]);
      else if (status >= 400 && status !== 409) throw new Error(`document refused: ${JSON.stringify(item.create?.error)}`);
    });
    if (again.length === 0) return;
    operations = again;
    await new Promise((resolve) => setTimeout(resolve, 100 * (attempt + 1)));
  }
  throw new Error('bulk items still refused after 20 attempts');
}

export async function runLoader(options: LoaderOptions): Promise<() => Promise<void>> {
  const client = new Client({ node: options.elasticsearch });
  const kafka = new Kafka({ clientId: 'es-bench-loader', brokers: options.brokers, logLevel: logLevel.WARN });
  const consumer = kafka.consumer({
    groupId: options.group, allowAutoTopicCreation: false, maxBytes: options.fetchMaxBytes, maxBytesPerPartition: options.fetchMaxBytesPerPartition,
  });
  const permits = new Permits(options.concurrency);
  await consumer.connect();
  await consumer.subscribe({ topic: options.topic, fromBeginning: true });
  await consumer.run({
    autoCommit: true,
    autoCommitInterval: 1000,
    eachBatchAutoResolve: false,
    partitionsConsumedConcurrently: options.partitionsConsumedConcurrently,
    eachBatch: async (payload) => {
      const last = payload.batch.messages.at(-1);
      if (!last) return;
      const heartbeat = setInterval(() => void payload.heartbeat().catch(() => undefined), 3000);
      try {
        await Promise.all(
          bulksOf(payload, options).map(async (bulk) => {
            await permits.acquire();
            try {
              await send(client, bulk);
            } finally {
              permits.release();
            }
          }),
        );
      } finally {
        clearInterval(heartbeat);
      }
      payload.resolveOffset(last.offset);
      await payload.commitOffsetsIfNecessary();
    },
  });
  return async () => {
    await consumer.disconnect();
    await client.close();
  };
}

if (require.main === module) {
  const options = JSON.parse(process.argv[2] ?? '{}') as LoaderOptions;
  runLoader(options).then(
    (stop) => {
      const exit = (): void => void stop().finally(() => process.exit(0));
      process.once('SIGTERM', exit);
      process.once('SIGINT', exit);
    },
    (err) => {
      console.error(err);
      process.exit(1);
    },
  );
}
