import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { readFile } from 'node:fs/promises';
import { randomUUID } from 'node:crypto';
import { promisify } from 'node:util';
import { Client } from '@elastic/elasticsearch';
import { InfluxDB } from 'influx';
import path from 'node:path';
import { eventually } from '../helpers/eventually';
import { startCargoscope, type CargoscopeProcess } from '../helpers/processes';
import { ELASTICSEARCH_URL, INFLUXDB_HOST, INFLUXDB_PORT, KAFKA_BROKER, PROMETHEUS_URL, requireServices, STATE_DIR, TESTBOX_IMAGE } from './harness/services';

const exec = promisify(execFile);
const LEVELS = ['container', 'pod', 'replicaset', 'namespace', 'node', 'cluster'] as const;

/**
 * Issue 6 end to end: a CPU burner limited to half a core, the collector reading cgroups and
 * publishing to Kafka, the aggregator rolling up and serving Prometheus (which scrapes it on the
 * aggregator's documented port) and writing InfluxDB.
 */
describe('aggregator end to end: containers → collector → Kafka → aggregator → Prometheus, InfluxDB, Elasticsearch (real services)', function () {
  this.timeout(300_000);
  const project = `it${randomUUID().slice(0, 8)}`;
  const topic = `cargoscope.it.metrics.${project}`;
  const database = `it_${project}`;
  const logTopic = `cargoscope.it.logs.${project}`;
  const influx = new InfluxDB({ host: INFLUXDB_HOST, port: INFLUXDB_PORT, database });
  const es = new Client({ node: ELASTICSEARCH_URL });
  const LOG_LINES = 20_000;
  const processes: CargoscopeProcess[] = [];
  let container = '';
  let logWriter = '';

  before(async function () {
    await requireServices(this, ['docker', 'images', 'kafka', 'prometheus', 'influxdb', 'elasticsearch']);
    const { stdout } = await exec('docker', [
      'run', '-d', '--cpus', '0.5', '--label', `com.docker.compose.project=${project}`, '--label', 'com.docker.compose.service=burn',
      '--label', 'cargoscope.test=aggregator-metrics', TESTBOX_IMAGE, 'cpuburn', '1',
    ]);
    container = stdout.trim();
    const writer = await exec('docker', [
      'run', '-d', '--label', `com.docker.compose.project=${project}w`, '--label', 'com.docker.compose.service=writer',
      '--label', 'cargoscope.test=aggregator-metrics', TESTBOX_IMAGE, 'logwriter', '--count', String(LOG_LINES), '--rate', '5000', '--prefix', project, '--hold',
    ]);
    logWriter = writer.stdout.trim();
    processes.push(startCargoscope('collector', `
transport: { type: kafka, kafka: { brokers: ["${KAFKA_BROKER}"] } }
api: { listen: "127.0.0.1:0" }
sources:
  containers: { type: cgroup, interval_secs: 2, discovery: { mode: docker } }
  container_logs: { type: docker_logs, docker_root: "${path.join(STATE_DIR, 'docker')}" }
sinks:
  metrics_out: { type: topic, inputs: [containers], topic: "${topic}", key: workload, batch: { timeout_ms: 100 } }
  logs_out: { type: topic, inputs: [container_logs], topic: "${logTopic}", key: container, batch: { timeout_ms: 100 } }
`));
    processes.push(startCargoscope('aggregator', `
transport: { type: kafka, kafka: { brokers: ["${KAFKA_BROKER}"] } }
api: { listen: "127.0.0.1:9781" }
sources:
  metrics_in: { type: topic, topics: ["${topic}"], group: "it-${project}" }
  logs_in: { type: topic, topics: ["${logTopic}"], group: "it-logs-${project}" }
transforms:
  rollup: { type: rollup, inputs: [metrics_in], resolution_secs: 5 }
sinks:
  prometheus: { type: prometheus_exporter, inputs: [rollup] }
  influxdb: { type: influxdb, inputs: [rollup], database: "${database}", batch: { timeout_ms: 200 } }
  elasticsearch: { type: elasticsearch, inputs: [logs_in], endpoints: ["${ELASTICSEARCH_URL}"], batch: { timeout_ms: 200 } }
`));
  });

  after(async () => {
    await Promise.all(processes.map((p) => p.stop('SIGTERM')));
    for (const id of [container, logWriter]) if (id) await exec('docker', ['rm', '-f', id]).catch(() => undefined);
    await es.close();
    await influx.dropDatabase(database).catch(() => undefined);
  });

  const logs = (): string => processes.map((p) => `--- ${p.mode}\n${p.log}`).join('\n');

  async function promql(query: string): Promise<number | undefined> {
    const res = await fetch(`${PROMETHEUS_URL}/api/v1/query?query=${encodeURIComponent(query)}`);
    const body = (await res.json()) as { data?: { result?: Array<{ value: [number, string] }> } };
    const value = body.data?.result?.[0]?.value[1];
    return value === undefined ? undefined : Number(value);
  }

  /**
   * Ground truth, read independently of cargoscope: the container's cgroup CPU counter, directly
   * from the kernel. Under load a half-core burner may get less than half a core; what the
   * pipeline must report is what the container really used.
   */
  async function cgroupCpuSeconds(): Promise<number> {
    const candidates = [
      `/sys/fs/cgroup/cpuacct/docker/${container}/cpuacct.usage`,
      `/sys/fs/cgroup/cpu,cpuacct/docker/${container}/cpuacct.usage`,
      `/sys/fs/cgroup/system.slice/docker-${container}.scope/cpu.stat`,
    ];
    for (const file of candidates) {
      const text = await readFile(file, 'utf8').catch(() => undefined);
      if (text === undefined) continue;
      const usec = /usage_usec (\d+)/.exec(text);
      return usec ? Number(usec[1]) / 1e6 : Number(text.trim()) / 1e9;
    }
    throw new Error(`no cgroup CPU counter for ${container} in ${candidates.join(', ')}`);
  }

  /** Measures the burner's true CPU use over `seconds`, returning the window and the cores used. */
  async function trueUse(seconds: number): Promise<{ fromMs: number; toMs: number; cores: number }> {
    const [fromMs, from] = [Date.now(), await cgroupCpuSeconds()];
    await new Promise((r) => setTimeout(r, seconds * 1000));
    const [toMs, to] = [Date.now(), await cgroupCpuSeconds()];
    return { fromMs, toMs, cores: (to - from) / ((toMs - fromMs) / 1000) };
  }

  const within = (value: number, truth: number, what: string): void =>
    assert.ok(Math.abs(value - truth) <= 0.1 * truth, `${what}: ${value.toFixed(3)} cores vs ${truth.toFixed(3)} measured from the cgroup (± 10 %)`);

  it('Prometheus answers PromQL for the burner\'s replica set with its known CPU use (± 10 %)', async () => {
    const series = `replicaset:container_cpu_usage_seconds:sum_rate{namespace="${project}",replicaset="burn"}`;
    await eventually(120_000, async () => ((await promql(series)) !== undefined ? true : undefined), 2000)
      .catch((err: Error) => assert.fail(`${err.message}\n${logs()}`));
    const truth = await trueUse(60);
    assert.ok(truth.cores > 0.2 && truth.cores <= 0.52, `the burner used ${truth.cores} cores; --cpus 0.5 should cap it at 0.5`);
    // A value scraped at T describes the roll-up window that closed up to ~7 s earlier (window
    // close + scrape interval): average the same 60 s span, shifted by that lag.
    await new Promise((r) => setTimeout(r, 12_000));
    const at = (truth.toMs + 7_000) / 1000;
    const res = await fetch(`${PROMETHEUS_URL}/api/v1/query?time=${at}&query=${encodeURIComponent(`avg_over_time(${series}[60s])`)}`);
    const body = (await res.json()) as { data?: { result?: Array<{ value: [number, string] }> } };
    within(Number(body.data?.result?.[0]?.value[1]), truth.cores, 'Prometheus replicaset');
    assert.equal(await promql(`count(container_cpu_usage_seconds_total{namespace="${project}"})`), 1, 'the per-container cAdvisor-style series is there too');
  });

  it('InfluxDB answers InfluxQL for the same at every roll-up level', async () => {
    const truth = await trueUse(30);
    await new Promise((r) => setTimeout(r, 12_000));
    // Windows are stamped with their end: the first one fully inside the span ends 5 s after its start.
    const span = `time >= ${(truth.fromMs + 5000) * 1e6} AND time <= ${truth.toMs * 1e6}`;
    for (const level of LEVELS) {
      const where = level === 'node' || level === 'cluster' ? `"level" = '${level}'` : `"level" = '${level}' AND "namespace" = '${project}'`;
      const rows = await influx.query<{ mean: number }>(`SELECT mean("cpu_usage_cores") FROM "raw"."cargoscope_rollup" WHERE ${where} AND ${span}`);
      const v = rows[0]?.mean;
      assert.equal(typeof v, 'number', `no ${level} roll-up in InfluxDB\n${logs()}`);
      if (level === 'node' || level === 'cluster') assert.ok((v as number) >= 0.9 * truth.cores, `${level} (${v}) is below the burner's own use`);
      else within(v as number, truth.cores, `InfluxDB ${level}`);
    }
    const telegraf = await influx.query<{ mean: number }>(`SELECT mean("usage_percent") FROM "raw"."docker_container_cpu" WHERE "namespace" = '${project}' AND ${span}`);
    within((telegraf[0]?.mean ?? 0) / 100, truth.cores, 'docker_container_cpu usage_percent / 100');
  });

  it('Elasticsearch holds every line the container wrote, exactly once', async () => {
    const index = `logs-cargoscope-${project}w`; // the writer's own project: nothing else logs there
    const count = async (): Promise<number> => {
      await es.indices.refresh({ index }).catch(() => undefined);
      return (await es.count({ index }).catch(() => ({ count: 0 }))).count;
    };
    await eventually(180_000, async () => ((await count()) >= LOG_LINES ? true : undefined), 1000)
      .catch(async (err: Error) => assert.fail(`${err.message}: ${await count()} of ${LOG_LINES}\n${logs()}`));
    assert.equal(await count(), LOG_LINES);
    const dupes = await es.search({ index, size: 0, aggs: { ids: { terms: { field: 'event.id', min_doc_count: 2, size: 5 } } } });
    assert.deepEqual((dupes.aggregations?.ids as { buckets: unknown[] }).buckets, [], 'no line indexed twice');
    const lastLine = `${project} ${String(LOG_LINES).padStart(9, '0')}`; // logwriter numbers from 1, 9 digits
    const last = await es.search<{ message: string }>({ index, size: 1, query: { match_phrase: { message: lastLine } } });
    assert.equal(last.hits.hits[0]?._source?.message, lastLine, 'the last numbered line is there');
  });
});
