/**
 * Benchmark 1 of issue 6: logs Kafka → Elasticsearch, docs/s, cargoscope's aggregator (a real
 * `cargoscope aggregator` process: `topic` source → `elasticsearch` sink) against the simplest
 * correct loader (es-loader.ts, its own process: kafkajs consumer → `client.bulk` with the same
 * documents, operations, batch size and concurrency), the two alternating on the same Kafka and ES.
 * Each round produces N records to a fresh topic (untimed), then times each contender from its
 * process start until ES has indexed all N into its own indices (checked with refresh + _count).
 *   node dist/tests/bench/es.bench.js [--records 200000] [--rounds 5] [--batch-events 5000]
 *     [--batch-bytes 10485760] [--timeout-ms 200] [--concurrency 2] [--profile DIR]
 * Needs `bash scripts/services.sh up kafka elasticsearch`. Prints one JSON object on the last line.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { Client } from '@elastic/elasticsearch';
import { Kafka, logLevel } from 'kafkajs';
import { indexTemplate } from '../../aggregator/sinks/elasticsearch';
import { kafkaSchema } from '../../core/config';
import { workloadId, type LogBatch, type LogRecord } from '../../core/event';
import { silentLogger } from '../../core/telemetry';
import { KafkaTransport } from '../../core/transport';
import { BIN } from '../helpers/processes';
import type { LoaderOptions } from './es-loader';
import { median } from './fleet';

const KAFKA = process.env.CARGOSCOPE_KAFKA ?? '127.0.0.1:9092';
const ES_URL = process.env.CARGOSCOPE_ELASTICSEARCH ?? 'http://127.0.0.1:9200';
const NAMESPACES = 4;
const CONTAINERS = 24;

const { values } = parseArgs({
  options: {
    records: { type: 'string', default: '200000' },
    rounds: { type: 'string', default: '5' },
    'records-per-message': { type: 'string', default: '500' },
    partitions: { type: 'string', default: '6' },
    'partitions-concurrently': { type: 'string', default: '3' },
    'batch-events': { type: 'string', default: '5000' },
    'batch-bytes': { type: 'string', default: String(10 * 1024 * 1024) },
    'timeout-ms': { type: 'string', default: '200' },
    concurrency: { type: 'string', default: '2' },
    'fetch-bytes': { type: 'string', default: String(4 * 1024 * 1024) },
    'fetch-bytes-per-partition': { type: 'string', default: String(1024 * 1024) },
    only: { type: 'string' },
    profile: { type: 'string' },
  },
});
const N = Number(values.records);
const settings = {
  partitions: Number(values.partitions),
  partitions_consumed_concurrently: Number(values['partitions-concurrently']),
  records_per_message: Number(values['records-per-message']),
  batch: { max_events: Number(values['batch-events']), max_bytes: Number(values['batch-bytes']), timeout_ms: Number(values['timeout-ms']) },
  concurrency: Number(values.concurrency),
  // The transport's defaults (core/config/schema.ts); the loader fetches with the same bounds.
  fetch_max_bytes: Number(values['fetch-bytes']),
  fetch_max_bytes_per_partition: Number(values['fetch-bytes-per-partition']),
};
const es = new Client({ node: ES_URL });
const log = (line: string): void => void process.stderr.write(`[kafka-to-es] ${line}\n`);

// ~200-byte application log lines in a few shapes and levels, so level detection does real work.
const LEVELS = ['INFO', 'INFO', 'INFO', 'DEBUG', 'WARN', 'ERROR'] as const;
function message(n: number, container: number): string {
  const level = LEVELS[n % LEVELS.length] as string;
  const line = n % 3 === 0
    ? `${level} [http-nio-8080-exec-${n % 50}] c.example.orders.OrderService - order ${n} processed for customer ${n % 9973} in ${n % 997} ms; items=${n % 7} total=${(n % 10000) / 100} EUR path=/api/v1/orders/${n}`
    : n % 3 === 1
      ? `{"level":"${level.toLowerCase()}","ts":${1_795_000_000 + n},"caller":"server/handler.go:${n % 400}","msg":"request served","method":"GET","path":"/v2/items/${n % 5000}","status":200,"bytes":${n % 65536}}`
      : `time="2026-11-24T10:00:00Z" level=${level.toLowerCase()} msg="cache refresh" container=${container} keys=${n % 100000} evicted=${n % 313} duration=${n % 1000}ms shard=${n % 16} node=worker-${n % 8}`;
  return line.padEnd(200, ' .');
}

function logBatch(container: number, from: number, count: number): LogBatch {
  const namespace = `ns-${container % NAMESPACES}`;
  const id = `c${container.toString(16).padStart(12, '0')}`;
  const replicaSet = `app-${container}-7d4f9`;
  const records: LogRecord[] = [];
  for (let i = 0; i < count; i += 1) {
    const n = from + i;
    const nanos = String(n % 1_000_000_000).padStart(9, '0');
    records.push({
      id: `${id}:inode-${container}:${n * 256}`, time: `${new Date(1_795_000_000_000 + n * 10).toISOString().slice(0, 19)}.${nanos}Z`,
      stream: n % 10 === 0 ? 'stderr' : 'stdout', message: message(n, container), origin: { fileKey: `inode-${container}`, offset: n * 256, endOffset: n * 256 + 256 },
    });
  }
  return {
    type: 'logs', version: 1, source: 'docker_logs',
    container: {
      node: 'node-1', id, name: `k8s_app_${replicaSet}-${container}`, image: 'registry.example/app:1.2.3', labels: { 'app.kubernetes.io/name': `app-${container}` },
      containerName: 'app', isSandbox: false,
      workload: { kind: 'kubernetes', namespace, replicaSet, deployment: `app-${container}`, pod: `${replicaSet}-${container}`, id: workloadId('kubernetes', namespace, replicaSet) },
    },
    records,
  };
}

/** N records, `records_per_message` per LogBatch, spread over CONTAINERS containers (untimed). */
async function produce(topic: string): Promise<void> {
  const producer = new KafkaTransport(kafkaSchema.parse({ brokers: [KAFKA], topic_partitions: settings.partitions }), silentLogger());
  await producer.start();
  try {
    const per = settings.records_per_message;
    const perContainer = Math.ceil(N / CONTAINERS);
    let left = N;
    for (let from = 0; from < perContainer && left > 0; from += per) {
      const messages = [];
      for (let c = 0; c < CONTAINERS && left > 0; c += 1) {
        const count = Math.min(per, perContainer - from, left);
        if (count <= 0) continue;
        left -= count;
        const event = logBatch(c, from, count);
        messages.push({ key: event.container.id, event });
      }
      await producer.publish(topic, messages);
    }
  } finally {
    await producer.shutdown(Date.now() + 5000);
  }
}

/** Docs ES has indexed into `prefix-*`, from indexing stats: cheap, no refresh needed. */
async function indexedTotal(prefix: string): Promise<number> {
  const stats = await es.indices.stats({ index: `${prefix}-*`, metric: 'indexing' }).catch(() => undefined);
  return stats?._all.primaries?.indexing?.index_total ?? 0;
}

async function countAfterRefresh(prefix: string): Promise<number> {
  await es.indices.refresh({ index: `${prefix}-*` });
  return (await es.count({ index: `${prefix}-*` })).count;
}

function cpuSeconds(pid: number | undefined): number {
  try {
    const fields = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1]?.split(' ') ?? [];
    return (Number(fields[11]) + Number(fields[12])) / 100; // utime + stime, in clock ticks of 1/100 s
  } catch {
    return NaN;
  }
}

/** VmHWM: the child's peak resident set so far, read before it is stopped. */
function peakRssMiB(pid: number | undefined): number {
  try {
    const kb = /^VmHWM:\s+(\d+) kB/m.exec(readFileSync(`/proc/${pid}/status`, 'utf8'))?.[1];
    return kb === undefined ? NaN : Number(kb) / 1024;
  } catch {
    return NaN;
  }
}

interface Timing {
  readonly seconds: number;
  readonly firstDocSeconds: number;
  readonly cpuSeconds: number;
  readonly peakRssMiB: number;
}

/** Starts a contender, waits until all N are indexed, checks _count, stops it. */
interface Contender {
  readonly child: ChildProcess;
  stop(): Promise<unknown>;
  log(): string;
}

async function timeRun(prefix: string, start: () => Promise<Contender>): Promise<Timing> {
  const t0 = process.hrtime.bigint();
  const elapsed = (): number => Number(process.hrtime.bigint() - t0) / 1e9;
  const run = await start();
  let firstDocSeconds = NaN;
  let done = NaN;
  try {
    for (;;) {
      if (run.child.exitCode !== null) throw new Error(`exited early (${run.child.exitCode}):\n${run.log()}`);
      if (elapsed() > 600) throw new Error(`not done after 600 s:\n${run.log()}`);
      const total = await indexedTotal(prefix);
      if (total > 0 && Number.isNaN(firstDocSeconds)) firstDocSeconds = elapsed();
      if (total >= N) {
        done = elapsed();
        if ((await countAfterRefresh(prefix)) === N) break;
      }
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
    return { seconds: done, firstDocSeconds, cpuSeconds: cpuSeconds(run.child.pid), peakRssMiB: peakRssMiB(run.child.pid) };
  } finally {
    await run.stop();
  }
}

function ours(topic: string, prefix: string, round: number) {
  const yaml = `
data_dir: data
api: { listen: "127.0.0.1:0" }
telemetry: { log_level: warn }
transport:
  type: kafka
  kafka: { brokers: ["${KAFKA}"], topic_partitions: ${settings.partitions}, partitions_consumed_concurrently: ${settings.partitions_consumed_concurrently}, fetch_max_bytes: ${settings.fetch_max_bytes}, fetch_max_bytes_per_partition: ${settings.fetch_max_bytes_per_partition} }
sources:
  logs_in: { type: topic, topics: ["${topic}"], group: "${prefix}" }
sinks:
  elasticsearch:
    type: elasticsearch
    inputs: [logs_in]
    endpoints: ["${ES_URL}"]
    data_stream_prefix: "${prefix}"
    manage_template: false
    batch: { max_events: ${settings.batch.max_events}, max_bytes: ${settings.batch.max_bytes}, timeout_ms: ${settings.batch.timeout_ms} }
    concurrency: ${settings.concurrency}
`;
  return async (): Promise<Contender> => {
    await putTemplate(prefix);
    const dir = mkdtempSync(path.join(tmpdir(), 'es-bench-'));
    writeFileSync(path.join(dir, 'aggregator.yaml'), yaml);
    // --cpu-prof is refused in NODE_OPTIONS, so it goes on the command line.
    const profile = values.profile ? ['--cpu-prof', `--cpu-prof-dir=${values.profile}`, `--cpu-prof-name=ours-r${round}.cpuprofile`] : [];
    return child([...profile, BIN, 'aggregator', '--config', path.join(dir, 'aggregator.yaml')]);
  };
}

/** A child node process with its stderr tail kept for failures. */
function child(args: string[]): Contender {
  const proc = spawn(process.execPath, args, { stdio: ['ignore', 'ignore', 'pipe'] });
  let stderr = '';
  proc.stderr?.on('data', (chunk: Buffer) => (stderr = (stderr + chunk.toString()).slice(-20_000)));
  const exited = new Promise((resolve) => proc.once('exit', resolve));
  return {
    child: proc,
    log: () => stderr,
    stop: async () => {
      if (proc.exitCode === null && proc.signalCode === null) proc.kill('SIGTERM');
      await exited;
    },
  };
}

/**
 * The sink's index template (same mappings and settings) for both contenders, less `data_stream`:
 * the reduced ES here cannot delete data streams (docs/SERVICES.md), and plain indices can be.
 * So the sink runs with `manage_template: false` and both write to `<prefix>-<namespace>` indices.
 */
async function putTemplate(prefix: string): Promise<void> {
  const { data_stream: _dataStream, ...template } = indexTemplate(prefix, null, 1, 0);
  await es.indices.putIndexTemplate({ name: prefix, ...template });
}

function loader(topic: string, prefix: string) {
  const options: LoaderOptions = {
    brokers: [KAFKA], elasticsearch: ES_URL, topic, group: prefix, prefix,
    batchEvents: settings.batch.max_events, batchBytes: settings.batch.max_bytes, concurrency: settings.concurrency,
    partitionsConsumedConcurrently: settings.partitions_consumed_concurrently,
    fetchMaxBytes: settings.fetch_max_bytes, fetchMaxBytesPerPartition: settings.fetch_max_bytes_per_partition,
  };
  return async (): Promise<Contender> => {
    await putTemplate(prefix);
    return child([path.join(__dirname, 'es-loader.js'), JSON.stringify(options)]);
  };
}

async function deleteIndices(prefix: string): Promise<void> {
  await es.indices.delete({ index: `${prefix}-*` }).catch(() => undefined);
  await es.indices.deleteIndexTemplate({ name: prefix }).catch(() => undefined);
}

async function deleteTopic(topic: string, groups: string[]): Promise<void> {
  const admin = new Kafka({ brokers: [KAFKA], logLevel: logLevel.NOTHING }).admin();
  await admin.connect();
  try {
    await admin.deleteGroups(groups).catch(() => undefined);
    await admin.deleteTopics({ topics: [topic] }).catch(() => undefined);
  } finally {
    await admin.disconnect();
  }
}

type Name = 'cargoscope' | 'loader';

async function main(): Promise<void> {
  const rounds = Number(values.rounds);
  const tag = Date.now().toString(36);
  const names: Name[] = values.only ? [values.only as Name] : ['cargoscope', 'loader'];
  const results: Record<Name, Timing[]> = { cargoscope: [], loader: [] };
  for (let round = 1; round <= rounds; round += 1) {
    const topic = `cargoscope.bench.logs.${tag}-r${round}`;
    log(`round ${round}/${rounds}: producing ${N} records to ${topic} …`);
    await produce(topic);
    // Alternate who goes first, so neither always meets a warmer (or busier) ES.
    const order = round % 2 === 1 ? names : [...names].reverse();
    const groups: string[] = [];
    try {
      for (const name of order) {
        const prefix = `logs-bench${name === 'cargoscope' ? 'ours' : 'peer'}-${tag}-r${round}`;
        groups.push(prefix);
        try {
          const timing = await timeRun(prefix, name === 'cargoscope' ? ours(topic, prefix, round) : loader(topic, prefix));
          results[name].push(timing);
          log(`round ${round}: ${name} ${(N / timing.seconds).toFixed(0)} docs/s (${timing.seconds.toFixed(2)} s, first doc at ${timing.firstDocSeconds.toFixed(2)} s, ${timing.cpuSeconds.toFixed(1)} CPU s, peak RSS ${timing.peakRssMiB.toFixed(0)} MiB)`);
        } finally {
          await deleteIndices(prefix);
        }
      }
    } finally {
      await deleteTopic(topic, groups);
    }
  }
  await es.close();
  console.log(JSON.stringify(summary(results, rounds)));
}

function spread(xs: number[]): { median: number; min: number; max: number } {
  return { median: median(xs), min: Math.min(...xs), max: Math.max(...xs) };
}

function summary(results: Record<Name, Timing[]>, rounds: number): Record<string, unknown> {
  const rate = (ts: Timing[]): number[] => ts.map((t) => N / t.seconds);
  const ours = rate(results.cargoscope);
  const peer = rate(results.loader);
  const ratios = ours.map((o, i) => o / (peer[i] ?? NaN));
  const ratio = ours.length && peer.length ? median(ours) / median(peer) : NaN;
  const steady = (ts: Timing[]): number[] => ts.map((t) => N / (t.seconds - t.firstDocSeconds));
  const cpuPer100k = (ts: Timing[]): number[] => ts.map((t) => (t.cpuSeconds * 100_000) / N);
  return {
    benchmark: 'kafka-to-es',
    records: N,
    rounds,
    settings,
    cargoscope_docs_per_second: spread(ours),
    loader_docs_per_second: spread(peer),
    ratio_of_medians: ratio,
    ratio_per_round: spread(ratios),
    goal: 'cargoscope >= 0.9x the plain bulk loader',
    goal_met: ratio >= 0.9,
    // From the first document indexed to the last: throughput without process start and group join.
    cargoscope_steady_docs_per_second: spread(steady(results.cargoscope)),
    loader_steady_docs_per_second: spread(steady(results.loader)),
    cargoscope_first_doc_seconds: spread(results.cargoscope.map((t) => t.firstDocSeconds)),
    loader_first_doc_seconds: spread(results.loader.map((t) => t.firstDocSeconds)),
    cargoscope_cpu_seconds_per_100k_docs: spread(cpuPer100k(results.cargoscope)),
    loader_cpu_seconds_per_100k_docs: spread(cpuPer100k(results.loader)),
    cargoscope_peak_rss_mib: spread(results.cargoscope.map((t) => t.peakRssMiB)),
    loader_peak_rss_mib: spread(results.loader.map((t) => t.peakRssMiB)),
  };
}

main().catch((err: unknown) => {
  log(`failed: ${(err as Error).stack ?? String(err)}`);
  process.exitCode = 1;
});
