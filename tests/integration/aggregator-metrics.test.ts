import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { readFile } from 'node:fs/promises';
import { randomUUID } from 'node:crypto';
import { promisify } from 'node:util';
import { InfluxDB } from 'influx';
import { eventually } from '../helpers/eventually';
import { startCargoscope, type CargoscopeProcess } from '../helpers/processes';
import { INFLUXDB_HOST, INFLUXDB_PORT, KAFKA_BROKER, PROMETHEUS_URL, requireServices, TESTBOX_IMAGE } from './harness/services';

const exec = promisify(execFile);
const LEVELS = ['container', 'pod', 'replicaset', 'namespace', 'node', 'cluster'] as const;

/**
 * Issue 6 end to end: a CPU burner limited to half a core, the collector reading cgroups and
 * publishing to Kafka, the aggregator rolling up and serving Prometheus (which scrapes it on the
 * aggregator's documented port) and writing InfluxDB.
 */
describe('aggregator: metrics from containers through Kafka into Prometheus and InfluxDB (real services)', function () {
  this.timeout(300_000);
  const project = `it${randomUUID().slice(0, 8)}`;
  const topic = `cargoscope.it.metrics.${project}`;
  const database = `it_${project}`;
  const influx = new InfluxDB({ host: INFLUXDB_HOST, port: INFLUXDB_PORT, database });
  const processes: CargoscopeProcess[] = [];
  let container = '';

  before(async function () {
    await requireServices(this, ['docker', 'images', 'kafka', 'prometheus', 'influxdb']);
    const { stdout } = await exec('docker', [
      'run', '-d', '--cpus', '0.5', '--label', `com.docker.compose.project=${project}`, '--label', 'com.docker.compose.service=burn',
      '--label', 'cargoscope.test=aggregator-metrics', TESTBOX_IMAGE, 'cpuburn', '1',
    ]);
    container = stdout.trim();
    processes.push(startCargoscope('collector', `
transport: { type: kafka, kafka: { brokers: ["${KAFKA_BROKER}"] } }
api: { listen: "127.0.0.1:0" }
sources:
  containers: { type: cgroup, interval_secs: 2, discovery: { mode: docker } }
sinks:
  metrics_out: { type: topic, inputs: [containers], topic: "${topic}", key: workload, batch: { timeout_ms: 100 } }
`));
    processes.push(startCargoscope('aggregator', `
transport: { type: kafka, kafka: { brokers: ["${KAFKA_BROKER}"] } }
api: { listen: "127.0.0.1:9781" }
sources:
  metrics_in: { type: topic, topics: ["${topic}"], group: "it-${project}" }
transforms:
  rollup: { type: rollup, inputs: [metrics_in], resolution_secs: 5 }
sinks:
  prometheus: { type: prometheus_exporter, inputs: [rollup] }
  influxdb: { type: influxdb, inputs: [rollup], database: "${database}", batch: { timeout_ms: 200 } }
`));
  });

  after(async () => {
    await Promise.all(processes.map((p) => p.stop('SIGTERM')));
    if (container) await exec('docker', ['rm', '-f', container]).catch(() => undefined);
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
    const truth = await trueUse(30);
    assert.ok(truth.cores > 0.2 && truth.cores <= 0.52, `the burner used ${truth.cores} cores; --cpus 0.5 should cap it at 0.5`);
    // Roll-up windows and scrapes each lag up to 5 s: wait for them, then average the same span.
    await new Promise((r) => setTimeout(r, 12_000));
    const at = (truth.toMs + 10_000) / 1000;
    const res = await fetch(`${PROMETHEUS_URL}/api/v1/query?time=${at}&query=${encodeURIComponent(`avg_over_time(${series}[30s])`)}`);
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
});
