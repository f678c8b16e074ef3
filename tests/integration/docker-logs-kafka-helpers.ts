/**
 * The docker_logs acceptance path for real: a `cargoscope collector` process (docker_logs → topic
 * sink → Kafka, acks=all) and a kafkajs consumer that reads the topic back, decoding every message
 * with the transport's own codec — what the aggregator sees, not what the source emitted.
 */
import { createServer } from 'node:net';
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Kafka, logLevel, type Admin, type Consumer } from 'kafkajs';
import type { LogRecord } from '../../core/event';
import { decodeEvent } from '../../core/transport';
import { startCargoscope, restart, type CargoscopeProcess } from '../helpers/processes';
import { KAFKA_BROKER, STATE_DIR } from './harness/services';

export const PARTITIONS = 6;

/** A port nobody listens on right now (the collector's /metrics, read by the tests). */
export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      server.close(() => resolve(typeof address === 'object' && address ? address.port : 0));
    });
  });
}

export function kafkaClient(clientId: string): Kafka {
  return new Kafka({ clientId, brokers: [KAFKA_BROKER], logLevel: logLevel.NOTHING, retry: { retries: 20, maxRetryTime: 5000 } });
}

export async function createTopic(admin: Admin, topic: string): Promise<void> {
  await admin.createTopics({ waitForLeaders: true, topics: [{ topic, numPartitions: PARTITIONS, replicationFactor: 1 }] });
}

/** One record as consumed, with where it sat in Kafka. */
export interface Consumed {
  readonly record: LogRecord;
  readonly partition: number;
  readonly offset: string;
}

/**
 * Reads a topic from the beginning with its own consumer group and keeps every decoded record per
 * container, in consumption order (one container → one key → one partition, so this is Kafka's
 * order). Undecodable messages are counted, not skipped silently.
 */
export class TopicReader {
  private consumer: Consumer | undefined;
  private readonly byContainer = new Map<string, Consumed[]>();
  undecodable = 0;
  messages = 0;

  constructor(
    private readonly kafka: Kafka,
    readonly topic: string,
  ) {}

  async start(): Promise<void> {
    const consumer = this.kafka.consumer({ groupId: `it-reader-${this.topic}`, maxBytesPerPartition: 8 * 1024 * 1024 });
    this.consumer = consumer;
    await consumer.connect();
    await consumer.subscribe({ topic: this.topic, fromBeginning: true });
    await consumer.run({
      partitionsConsumedConcurrently: PARTITIONS,
      eachBatch: ({ batch }) => {
        for (const m of batch.messages) {
          this.messages++;
          const decoded = decodeEvent(m.value);
          if (!decoded.ok || decoded.event.type !== 'logs') {
            this.undecodable++;
            continue;
          }
          const id = decoded.event.container.id;
          let list = this.byContainer.get(id);
          if (!list) this.byContainer.set(id, (list = []));
          for (const record of decoded.event.records) list.push({ record, partition: batch.partition, offset: m.offset });
        }
        return Promise.resolve();
      },
    });
  }

  consumed(container: string): readonly Consumed[] {
    return this.byContainer.get(container) ?? [];
  }

  records(container: string): LogRecord[] {
    return this.consumed(container).map((c) => c.record);
  }

  async stop(): Promise<void> {
    await this.consumer?.disconnect().catch(() => undefined);
    this.consumer = undefined;
  }
}

export interface CollectorOptions {
  readonly topic: string;
  /** Extra keys of the docker_logs source, YAML flow pairs (`max_in_flight_bytes: 1048576`). */
  readonly sourceOpts?: string;
  readonly sinkOpts?: string;
  readonly dataDir?: string;
}

/** A real `cargoscope collector` shipping docker_logs to `topic`; restartable on the same data dir. */
export class Collector {
  private process: CargoscopeProcess;

  private constructor(
    process: CargoscopeProcess,
    readonly port: number,
  ) {
    this.process = process;
  }

  static async start(options: CollectorOptions): Promise<Collector> {
    const port = await freePort();
    const dataDir = options.dataDir ?? mkdtempSync(join(tmpdir(), 'cs-logs-kafka-'));
    const extra = (opts: string | undefined): string => (opts ? `, ${opts}` : '');
    const yaml = [
      'node: it-logs', `data_dir: "${dataDir}"`, 'shutdown_timeout_secs: 5', `api: { listen: "127.0.0.1:${port}" }`, 'telemetry: { log_level: warn }',
      `transport: { type: kafka, kafka: { brokers: ["${KAFKA_BROKER}"], topic_partitions: ${PARTITIONS} } }`,
      'sources:', `  logs: { type: docker_logs, docker_root: "${join(STATE_DIR, 'docker')}", discovery: { mode: docker }${extra(options.sourceOpts)} }`,
      'sinks:', `  out: { type: topic, inputs: [logs], topic: "${options.topic}", key: container${extra(options.sinkOpts)} }`, '',
    ].join('\n');
    const collector = new Collector(startCargoscope('collector', yaml), port);
    await collector.ready();
    return collector;
  }

  /** Resolves once /readyz answers 200: sources started, so no container is missed from here on. */
  async ready(timeoutMs = 30_000): Promise<void> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      if (!this.running) throw new Error(`collector exited before it was ready:\n${this.log.slice(-3000)}`);
      const ok = await fetch(`http://127.0.0.1:${this.port}/readyz`).then((r) => r.ok, () => false);
      if (ok) return;
      if (Date.now() > deadline) throw new Error(`collector not ready within ${timeoutMs} ms:\n${this.log.slice(-3000)}`);
      await new Promise((r) => setTimeout(r, 50));
    }
  }

  get pid(): number {
    return this.process.child.pid ?? 0;
  }

  get log(): string {
    return this.process.log;
  }

  get running(): boolean {
    return this.process.running;
  }

  async kill(): Promise<void> {
    await this.process.stop('SIGKILL');
  }

  async stop(): Promise<void> {
    await this.process.stop('SIGTERM');
  }

  /** The same config and data dir (checkpoints survive), as after a crash and a restart. */
  restart(): void {
    this.process = restart(this.process);
  }

  /** A counter of the process's own /metrics, summed over series having `label` as a value. */
  async counter(name: string, label: string): Promise<number> {
    const text = await (await fetch(`http://127.0.0.1:${this.port}/metrics`)).text();
    let sum = 0;
    for (const line of text.split('\n')) {
      if (!line.startsWith(`${name}{`) || !line.includes(`"${label}"`)) continue;
      sum += Number(line.slice(line.lastIndexOf(' ') + 1));
    }
    return sum;
  }

  /** Resident set size now, from /proc (undefined once exited). */
  rssMiB(): number | undefined {
    try {
      const status = readFileSync(`/proc/${this.pid}/status`, 'utf8');
      const kb = /^VmRSS:\s+(\d+) kB$/m.exec(status)?.[1];
      return kb === undefined ? undefined : Number(kb) / 1024;
    } catch {
      return undefined;
    }
  }
}
