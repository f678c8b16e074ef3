import assert from 'node:assert/strict';
import type { DiscoveryHandle } from '../../collector/discovery/open';
import { DockerEngineClient } from '../../collector/discovery/docker-api';
import { DockerDiscovery } from '../../collector/discovery/docker-discovery';
import { labelFilter } from '../../collector/discovery/identity';
import { DEFAULT_LABEL_ALLOWLIST } from '../../collector/discovery/labels';
import type { DiscoveredContainer } from '../../collector/discovery/types';
import { ErrorEpisodes } from '../../collector/scrape/episodes';
import { cgroupSourceSchema } from '../../collector/sources/cgroup/config';
import { CgroupSource } from '../../collector/sources/cgroup/source';
import { dockerStatsSourceSchema } from '../../collector/sources/docker_stats/config';
import { DockerStatsSource } from '../../collector/sources/docker_stats/source';
import type { ContainerMetrics } from '../../core/event';
import { CONTAINER_METRIC as M } from '../../core/naming';
import { testContext } from '../unit/collector/helpers';
import { TEST_LABEL, dockerCli, find, removeTestContainers, run, waitFor } from './collector-metrics-helpers';
import { DOCKER_SOCKET, requireServices } from './harness/services';

const k8s = (pod: string, container: string, extra: Record<string, string> = {}): Record<string, string> => ({
  'io.kubernetes.pod.name': pod,
  'io.kubernetes.pod.namespace': 'shop',
  'io.kubernetes.pod.uid': `uid-${pod}`,
  'io.kubernetes.container.name': container,
  ...extra,
});

/** A discovery frozen at one moment: what a scrape sees when a container stops right after. */
function frozen(list: readonly DiscoveredContainer[]): DiscoveryHandle {
  return { mode: 'docker', list: () => list, get: (id) => list.find((c) => c.identity.id === id), refresh: () => Promise.resolve(), close: () => undefined };
}

/** The collector's own Engine API client (the code under test), not the harness's dockerode. */
const docker = new DockerEngineClient(DOCKER_SOCKET, 30_000);

describe('collector discovery and identity against real Docker', function () {
  this.timeout(120_000);
  let discovery: DockerDiscovery | undefined;
  const t = testContext('discovery');

  before(async function () {
    // A service that cannot start fails this hook with its log tail: never a skip.
    await requireServices(this, ['docker', 'images', 'swarm']);
    this.timeout(120_000);
    await removeTestContainers();
    await dockerCli('service', 'rm', 'cs-it-web').catch(() => '');
    discovery = new DockerDiscovery(docker, {
      node: 'n1', filter: labelFilter({ allow: DEFAULT_LABEL_ALLOWLIST, maxValueLength: 128 }), logger: t.ctx.logger,
      episodes: new ErrorEpisodes(t.ctx.logger, t.ctx.telemetry), resyncIntervalMs: 600_000, inspectConcurrency: 8,
    });
    await discovery.start();
  });

  after(async () => {
    discovery?.stop();
    await dockerCli('service', 'rm', 'cs-it-web').catch(() => '');
    await removeTestContainers();
  });

  const seen = (id: string, test: (c: DiscoveredContainer) => boolean = () => true) =>
    waitFor(`discovery of ${id.slice(0, 12)}`, () => {
      const c = discovery?.get(id);
      return c && test(c) ? c : undefined;
    }, 5000, 50);

  it('sees a start, a rename, a restart and a stop from the events stream at once', async () => {
    const id = await run({ name: 'cs-it-life', cmd: ['sleep', '3600'] });
    const first = await seen(id);
    assert.equal(first.identity.name, 'cs-it-life');
    await dockerCli('rename', 'cs-it-life', 'cs-it-renamed');
    await seen(id, (c) => c.identity.name === 'cs-it-renamed');
    await dockerCli('restart', '-t', '0', 'cs-it-renamed');
    const restarted = await seen(id, (c) => c.startedAtMs > first.startedAtMs);
    assert.notEqual(restarted.pid, first.pid);
    await dockerCli('stop', '-t', '0', 'cs-it-renamed');
    await waitFor('the stop', () => (discovery?.get(id) ? undefined : true), 5000, 50);
  });

  it('derives pod, replica set and deployment for Kubernetes-labelled containers of two replica sets', async () => {
    const sandbox = await run({ name: 'cs-it-k8s-pod', cmd: ['sleep', '3600'], labels: k8s('web-7c9d8f6b5d-x2k9p', 'POD', { 'io.kubernetes.docker.type': 'podsandbox', 'pod-template-hash': '7c9d8f6b5d' }) });
    const app = await run({ name: 'cs-it-k8s-web', cmd: ['sleep', '3600'], args: ['--network', `container:${sandbox}`], labels: k8s('web-7c9d8f6b5d-x2k9p', 'nginx') });
    const other = await run({ name: 'cs-it-k8s-api', cmd: ['sleep', '3600'], labels: k8s('api-5f7b9c4d8-qwz2t', 'api') });
    const s = await seen(sandbox);
    const a = await seen(app);
    const o = await seen(other);
    assert.equal(s.identity.isSandbox, true);
    assert.equal(a.identity.isSandbox, false);
    assert.equal(a.network, 'shared');
    assert.deepEqual(
      [a.identity.workload.pod, a.identity.workload.replicaSet, a.identity.workload.deployment, a.identity.containerName],
      ['web-7c9d8f6b5d-x2k9p', 'web-7c9d8f6b5d', 'web', 'nginx'],
    );
    assert.equal(o.identity.workload.id, 'kubernetes/shop/api-5f7b9c4d8');
    assert.equal(o.identity.workload.deployment, 'api');

    // The pod's network is reported once, on the sandbox; the app container reports no network.
    const src = new CgroupSource(cgroupSourceSchema.parse({ interval_secs: 3600 }), frozen([s, a, o]));
    await src.start(testContext('cgroup').ctx);
    const batch = await src.scrapeOnce();
    await src.shutdown(Date.now() + 1000);
    const names = (id: string): string[] => find(batch, id)?.samples.map((x) => x.name) ?? [];
    assert.ok(names(sandbox).includes(M.networkReceiveBytes) && !names(sandbox).includes(M.cpuUsageSeconds));
    assert.ok(names(app).includes(M.cpuUsageSeconds) && !names(app).includes(M.networkReceiveBytes));
  });

  it('maps a Swarm service with 3 replicas to one replica set with three tasks', async () => {
    await dockerCli('service', 'create', '--detach', '--name', 'cs-it-web', '--replicas', '3',
      '--container-label', `${TEST_LABEL}=collector-metrics`, 'cargoscope/testbox:latest', 'sleep', '3600');
    const tasks = await waitFor('3 running swarm tasks', () => {
      const found = discovery?.list().filter((c) => c.identity.workload.replicaSet === 'cs-it-web') ?? [];
      return found.length === 3 ? found : undefined;
    }, 60_000, 250);
    for (const c of tasks) {
      assert.equal(c.identity.workload.id, 'swarm/swarm/cs-it-web');
      assert.match(c.identity.workload.pod, /^cs-it-web\.[123]\.[a-z0-9]+$/);
    }
    assert.equal(new Set(tasks.map((c) => c.identity.workload.pod)).size, 3);
  });

  it('maps a Compose-labelled container to project and service', async () => {
    const id = await run({ name: 'shop-db-1', cmd: ['sleep', '3600'], labels: { 'com.docker.compose.project': 'shop', 'com.docker.compose.service': 'db' } });
    const c = await seen(id);
    assert.equal(c.identity.workload.id, 'compose/shop/db');
    assert.equal(c.identity.workload.pod, 'shop-db-1');
  });

  it('skips a container that stops mid-scrape without failing the scrape or keeping its series', async () => {
    const ids = await Promise.all(['a', 'b', 'c'].map((n) => run({ name: `cs-it-mid-${n}`, cmd: ['sleep', '3600'] })));
    const listed = await Promise.all(ids.map((id) => seen(id)));
    const ctxs = { cgroup: testContext('cgroup'), docker_stats: testContext('docker_stats') };
    const cg = new CgroupSource(cgroupSourceSchema.parse({ interval_secs: 3600 }), frozen(listed));
    const ds = new DockerStatsSource(dockerStatsSourceSchema.parse({ interval_secs: 3600 }), { discovery: frozen(listed), docker });
    await cg.start(ctxs.cgroup.ctx);
    await ds.start(ctxs.docker_stats.ctx);
    // Discovery still lists them; the containers are gone before the scrape reads them.
    await dockerCli('rm', '-f', 'cs-it-mid-a');
    await dockerCli('stop', '-t', '0', 'cs-it-mid-b');
    for (const [name, src] of [['cgroup', cg], ['docker_stats', ds]] as const) {
      const batch = await src.scrapeOnce();
      assert.ok(batch, `${name}: the scrape still emits`);
      assert.deepEqual(batch.containers.map((c) => c.container.id), [ids[2]], `${name}: only the live container`);
      assert.equal(await ctxs[name].errors(), 0, `${name}: a vanished container is not an error`);
    }
    await cg.shutdown(Date.now() + 1000);
    await ds.shutdown(Date.now() + 1000);
    await waitFor('discovery to drop both', () => (discovery?.get(ids[0] ?? '') || discovery?.get(ids[1] ?? '') ? undefined : true), 5000, 50);
  });

  it('falls back to walking the cgroup tree when no Docker socket answers, and still reads metrics', async () => {
    const id = await run({ name: 'cs-it-walk', args: ['--cpus', '0.5'], cmd: ['cpuburn', '1'] });
    const ctx = testContext('cgroup');
    const src = new CgroupSource(cgroupSourceSchema.parse({ interval_secs: 3600, discovery: { mode: 'auto', docker_socket: '/nonexistent.sock' } }));
    await src.start(ctx.ctx);
    const first = await waitFor('the walk to find the container', async () => {
      const b = await src.scrapeOnce();
      return find(b, id) ? b : undefined;
    }, 10_000, 250);
    await new Promise((r) => setTimeout(r, 3000)); // a short window: only "it reads real counters"
    const second = await src.scrapeOnce();
    await src.shutdown(Date.now() + 1000);
    const c = find(second, id);
    assert.equal(c?.container.name, id.slice(0, 12));
    assert.equal(c?.container.workload.kind, 'standalone');
    const cpu = (x: ContainerMetrics | undefined): number => x?.samples.find((v) => v.name === M.cpuUsageSeconds)?.value ?? NaN;
    const cores = (cpu(c) - cpu(find(first, id))) / (((second?.scrapedAtMs ?? 0) - first.scrapedAtMs) / 1000);
    assert.ok(cores > 0.4 && cores < 0.6, `cores ${cores}`);
    assert.ok((c?.startedAtMs ?? 0) > Date.now() - 120_000, 'start time from /proc/<pid>/stat');
    assert.equal(await ctx.errors(), 0);
  });
});
