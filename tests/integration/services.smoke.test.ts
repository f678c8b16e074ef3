/**
 * Proves each real service (scripts/services.sh) works for real, through the clients cargoscope
 * uses. Each `describe` brings up only what it needs, so one broken service fails only its part.
 */
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { Client } from '@elastic/elasticsearch';
import type Dockerode from 'dockerode';
import { FieldType, InfluxDB } from 'influx';
import { Kafka, logLevel } from 'kafkajs';
import { eventually } from '../helpers/eventually';
import { demuxDockerLogs, dockerClient, removeLabelled, TEST_LABEL } from './harness/docker';
import {
  ALERTMANAGER_URL,
  CADVISOR_URL,
  ELASTICSEARCH_URL,
  INFLUXDB_HOST,
  INFLUXDB_PORT,
  KAFKA_BROKER,
  LXCFS_MOUNT,
  PROMETHEUS_URL,
  requireServices,
  TESTBOX_IMAGE,
} from './harness/services';

const SUITE = 'services-smoke';
const run = randomUUID().slice(0, 8);

async function getJson<T>(url: string, init?: RequestInit): Promise<T> {
  const res = await fetch(url, { ...init, signal: AbortSignal.timeout(10_000) });
  const body = await res.text();
  assert.ok(res.ok, `${init?.method ?? 'GET'} ${url} answered ${res.status}: ${body.slice(0, 500)}`);
  return JSON.parse(body) as T;
}

/** Runs the test image to completion and returns its demultiplexed output. */
async function runToEnd(docker: Dockerode, cmd: string[], hostConfig: Dockerode.HostConfig = {}): Promise<{ stdout: string; stderr: string }> {
  const container = await docker.createContainer({
    Image: TESTBOX_IMAGE,
    Cmd: cmd,
    Labels: { [TEST_LABEL]: SUITE },
    HostConfig: hostConfig,
  });
  try {
    await container.start();
    const exit = (await container.wait()) as { StatusCode: number };
    const logs = demuxDockerLogs(await container.logs({ stdout: true, stderr: true, follow: false }));
    assert.equal(exit.StatusCode, 0, `${cmd.join(' ')} exited ${exit.StatusCode}: ${logs.stderr}`);
    return logs;
  } finally {
    await container.remove({ force: true });
  }
}

describe('real services (smoke)', function () {
  this.timeout(120_000);

  describe('Kafka', function () {
    before(async function () {
      await requireServices(this, ['kafka']);
    });

    it('creates a topic, then produces and consumes a message with kafkajs', async function () {
      const kafka = new Kafka({ clientId: `smoke-${run}`, brokers: [KAFKA_BROKER], logLevel: logLevel.NOTHING });
      const topic = `cargoscope.smoke.${run}`;
      const admin = kafka.admin();
      const producer = kafka.producer({ idempotent: true });
      const consumer = kafka.consumer({ groupId: `smoke-${run}` });
      await admin.connect();
      try {
        assert.equal(await admin.createTopics({ topics: [{ topic, numPartitions: 1 }], waitForLeaders: true }), true);
        await producer.connect();
        await producer.send({ topic, acks: -1, messages: [{ key: 'k', value: `hello ${run}` }] });
        await consumer.connect();
        await consumer.subscribe({ topics: [topic], fromBeginning: true });
        const received: string[] = [];
        await consumer.run({
          eachMessage: ({ message }) => {
            received.push(message.value?.toString() ?? '');
            return Promise.resolve();
          },
        });
        await eventually(60_000, () => (received.length > 0 ? true : undefined));
        assert.deepEqual(received, [`hello ${run}`]);
      } finally {
        await consumer.disconnect();
        await producer.disconnect();
        await admin.deleteTopics({ topics: [topic] }).catch(() => undefined);
        await admin.disconnect();
      }
    });
  });

  describe('Elasticsearch', function () {
    before(async function () {
      await requireServices(this, ['elasticsearch']);
    });

    it('indexes and searches a document with @elastic/elasticsearch 8', async function () {
      const es = new Client({ node: ELASTICSEARCH_URL });
      const index = `cargoscope-smoke-${run}`;
      try {
        await es.indices.create({ index, settings: { number_of_replicas: 0 } });
        await es.index({ index, id: 'doc-1', document: { message: `hello ${run}`, '@timestamp': new Date().toISOString() }, refresh: 'wait_for' });
        const found = await es.search<{ message: string }>({ index, query: { match: { message: run } } });
        assert.equal(found.hits.hits.length, 1);
        assert.equal(found.hits.hits[0]?._source?.message, `hello ${run}`);
      } finally {
        await es.indices.delete({ index }, { ignore: [404] });
        await es.close();
      }
    });
  });

  describe('InfluxDB', function () {
    before(async function () {
      await requireServices(this, ['influxdb']);
    });

    it('writes and queries a point with the influx client', async function () {
      const database = `cargoscope_smoke_${run}`;
      const influx = new InfluxDB({
        host: INFLUXDB_HOST,
        port: INFLUXDB_PORT,
        database,
        schema: [{ measurement: 'smoke', fields: { value: FieldType.FLOAT }, tags: ['level'] }],
      });
      await influx.createDatabase(database);
      try {
        await influx.writePoints([{ measurement: 'smoke', tags: { level: 'container' }, fields: { value: 42.5 } }]);
        const rows = await influx.query<{ value: number; level: string }>(`SELECT value, level FROM smoke`);
        assert.equal(rows.length, 1);
        assert.equal(rows[0]?.value, 42.5);
        assert.equal(rows[0]?.level, 'container');
      } finally {
        await influx.dropDatabase(database);
      }
    });
  });

  describe('Prometheus', function () {
    before(async function () {
      await requireServices(this, ['prometheus', 'alertmanager']);
    });

    it('reports its own and Alertmanager’s scrape targets up', async function () {
      interface Targets { data: { activeTargets: { labels: Record<string, string>; health: string }[] } }
      const upJobs = await eventually(60_000, async () => {
        const t = await getJson<Targets>(`${PROMETHEUS_URL}/api/v1/targets?state=active`);
        const up = new Set(t.data.activeTargets.filter((x) => x.health === 'up').map((x) => x.labels['job']));
        return up.has('prometheus') && up.has('alertmanager') ? up : undefined;
      }, 500);
      assert.ok(upJobs.has('prometheus'));
      // cargoscope's own ports are configured as targets even while nothing listens on them.
      const all = await getJson<Targets>(`${PROMETHEUS_URL}/api/v1/targets?state=active`);
      const instances = all.data.activeTargets.filter((x) => x.labels['job'] === 'cargoscope').map((x) => x.labels['instance']);
      assert.deepEqual(instances.sort(), ['127.0.0.1:9780', '127.0.0.1:9781', '127.0.0.1:9782', '127.0.0.1:9783']);
    });
  });

  describe('Alertmanager', function () {
    before(async function () {
      await requireServices(this, ['alertmanager']);
    });

    it('accepts an alert through the v2 API and lists it', async function () {
      const labels = { alertname: 'CargoscopeSmoke', smoke_run: run, severity: 'info' };
      const post = (endsAt: Date): Promise<Response> =>
        fetch(`${ALERTMANAGER_URL}/api/v2/alerts`, {
          method: 'POST',
          headers: { 'content-type': 'application/json' },
          body: JSON.stringify([{ labels, annotations: { summary: 'smoke test' }, startsAt: new Date().toISOString(), endsAt: endsAt.toISOString() }]),
          signal: AbortSignal.timeout(10_000),
        });
      const res = await post(new Date(Date.now() + 10 * 60_000));
      assert.equal(res.status, 200, await res.text());
      try {
        interface Alert { labels: Record<string, string>; status: { state: string } }
        const filter = encodeURIComponent(`smoke_run="${run}"`);
        const listed = await eventually(30_000, async () => {
          const alerts = await getJson<Alert[]>(`${ALERTMANAGER_URL}/api/v2/alerts?filter=${filter}`);
          return alerts.length > 0 ? alerts : undefined;
        }, 250);
        assert.equal(listed.length, 1);
        assert.equal(listed[0]?.labels['alertname'], 'CargoscopeSmoke');
        assert.equal(listed[0]?.status.state, 'active');
      } finally {
        await post(new Date()); // resolve it, so it does not linger for other suites
      }
    });
  });

  describe('Docker, cAdvisor, lxcfs and Swarm', function () {
    let docker: Dockerode;

    before(async function () {
      await requireServices(this, ['docker', 'images', 'cadvisor', 'lxcfs', 'swarm']);
      docker = dockerClient();
      await removeLabelled(docker, SUITE);
    });

    after(async function () {
      if (docker) await removeLabelled(docker, SUITE);
    });

    it('runs a container from the imported test image and reads its logs (dockerode)', async function () {
      const { stdout, stderr } = await runToEnd(docker, ['logwriter', '--count', '5', '--prefix', run, '--stream', 'both']);
      const lines = (stdout + stderr).trim().split('\n').sort();
      assert.deepEqual(lines, [1, 2, 3, 4, 5].map((n) => `${run} ${String(n).padStart(9, '0')}`));
      assert.match(stderr, new RegExp(`^${run} 000000001$`, 'm'), 'odd lines go to stderr with --stream both');
    });

    it('writes lines far longer than Docker’s 16 KiB log chunk', async function () {
      const { stdout } = await runToEnd(docker, ['logwriter', '--count', '2', '--length', '100000']);
      const lines = stdout.split('\n').filter((l) => l.length > 0);
      assert.deepEqual(lines.map((l) => l.length), [100_000, 100_000]);
    });

    it('cAdvisor returns stats for a running test container', async function () {
      const container = await docker.createContainer({ Image: TESTBOX_IMAGE, Cmd: ['cpuburn', '1', '120'], Labels: { [TEST_LABEL]: SUITE } });
      try {
        await container.start();
        type Stats = Record<string, { timestamp: string; cpu?: { usage: { total: number } }; memory?: { usage: number } }[]>;
        const stats = await eventually(60_000, async () => {
          const s = await getJson<Stats>(`${CADVISOR_URL}/api/v2.0/stats/${container.id}?type=docker&count=2`);
          const samples = Object.values(s)[0] ?? [];
          return samples.length > 0 && (samples.at(-1)?.cpu?.usage.total ?? 0) > 0 ? s : undefined;
        }, 500);
        const [name, samples] = Object.entries(stats)[0] ?? ['', []];
        assert.ok(name.endsWith(container.id), `stats keyed by the container's cgroup, got ${name}`);
        assert.ok((samples.at(-1)?.memory?.usage ?? 0) > 0, 'memory usage reported');
      } finally {
        await container.remove({ force: true });
      }
    });

    it('lxcfs meminfo bind-mounted into a -m 64m container shows MemTotal: 65536 kB', async function () {
      const { stdout } = await runToEnd(docker, ['head', '-n', '1', '/proc/meminfo'], {
        Memory: 64 * 1024 * 1024,
        Binds: [`${LXCFS_MOUNT}/proc/meminfo:/proc/meminfo:ro`],
      });
      assert.equal(stdout.trimEnd(), 'MemTotal:          65536 kB');
    });

    it('a Swarm service scales from 1 to 2 running tasks', async function () {
      const name = `cargoscope-smoke-${run}`;
      const spec = {
        Name: name,
        Labels: { [TEST_LABEL]: SUITE },
        TaskTemplate: { ContainerSpec: { Image: TESTBOX_IMAGE, Command: ['sleep', '3600'] }, RestartPolicy: { Condition: 'none' } },
        Mode: { Replicated: { Replicas: 1 } },
      };
      const created = (await docker.createService(spec)) as { id?: string; ID?: string };
      const service = docker.getService(created.id ?? created.ID ?? name);
      const running = async (): Promise<number> => {
        const tasks = (await docker.listTasks({ filters: JSON.stringify({ service: [name], 'desired-state': ['running'] }) })) as { Status?: { State?: string } }[];
        return tasks.filter((t) => t.Status?.State === 'running').length;
      };
      try {
        await eventually(60_000, async () => ((await running()) === 1 ? true : undefined), 250);
        const current = (await service.inspect()) as { Version: { Index: number } };
        await service.update({ ...spec, version: current.Version.Index, Mode: { Replicated: { Replicas: 2 } } });
        await eventually(60_000, async () => ((await running()) === 2 ? true : undefined), 250);
        assert.equal(await running(), 2);
      } finally {
        await service.remove();
      }
    });
  });
});
