import assert from 'node:assert/strict';
import { Ack, envelope, type Envelope, type MetricBatch, type RollupBatch, type RollupSeries } from '../../../core/event';
import { RateTracker, rollUp, RollupTransform, rollupSchema } from '../../../aggregator/transforms/rollup';
import { container, type ContainerSpec, type Reading } from './fixtures';

const find = (series: readonly RollupSeries[], level: string, metric: string, match: Record<string, string> = {}): number | undefined =>
  series.find((s) => s.key.level === level && s.metric === metric && Object.entries(match).every(([k, v]) => (s.key as unknown as Record<string, unknown>)[k] === v))?.value;

describe('RateTracker', () => {
  it('turns counters into per-second rates between two readings', () => {
    const t = new RateTracker();
    const spec = { id: 'a' };
    assert.equal(t.derive(container(spec, { cpu: 10 }), 10_000).cpuCores, undefined, 'no rate from one reading');
    const d = t.derive(container(spec, { cpu: 15, rx: 1000 }), 20_000);
    assert.equal(d.cpuCores, 0.5);
  });

  it('never yields a negative rate: a new start time is a restart, counted once', () => {
    const t = new RateTracker();
    t.derive(container({ id: 'a' }, { cpu: 100 }, 1000), 10_000);
    const after = t.derive(container({ id: 'a' }, { cpu: 2 }, 15_000), 20_000);
    assert.equal(after.cpuCores, undefined);
    assert.equal(after.restarted, 1);
    const next = t.derive(container({ id: 'a' }, { cpu: 7 }, 15_000), 30_000);
    assert.equal(next.cpuCores, 0.5);
    assert.equal(next.restarted, 0);
  });

  it('drops a counter that went backwards without a restart instead of reporting it', () => {
    const t = new RateTracker();
    t.derive(container({ id: 'a' }, { cpu: 100, rx: 500 }), 10_000);
    const d = t.derive(container({ id: 'a' }, { cpu: 90, rx: 600 }), 20_000);
    assert.equal(d.cpuCores, undefined);
    assert.equal(d.rxBytesPerSecond, 10);
  });

  it('treats a cgroup v1 "unlimited" memory limit as no limit', () => {
    const d = new RateTracker().derive(container({ id: 'a' }, { memLimit: 9223372036854771712 }), 1);
    assert.equal(d.memoryLimitBytes, undefined);
  });
});

describe('rollUp', () => {
  const two = (spec: ContainerSpec, first: Reading, second: Reading) => {
    const t = new RateTracker();
    t.derive(container(spec, first), 0);
    return t.derive(container(spec, second), 10_000);
  };

  it('sums CPU per pod, replica set, namespace, node and cluster, and recomputes ratios', () => {
    const a = two({ id: 'a', pod: 'web-1', deployment: 'web' }, { cpu: 0, quota: 50_000, period: 100_000, workingSet: 1 }, { cpu: 4, quota: 50_000, period: 100_000, workingSet: 100 });
    const b = two({ id: 'b', pod: 'web-2', node: 'node-b', deployment: 'web' }, { cpu: 0, quota: 100_000, period: 100_000 }, { cpu: 6, quota: 100_000, period: 100_000, workingSet: 50 });
    const series = rollUp([a, b]);
    assert.equal(find(series, 'pod', 'cpu_usage_cores', { pod: 'web-1' }), 0.4);
    assert.equal(find(series, 'replicaset', 'cpu_usage_cores'), 1);
    assert.equal(find(series, 'replicaset', 'cpu_limit_cores'), 1.5);
    assert.equal(find(series, 'replicaset', 'cpu_usage_limit_ratio'), 1 / 1.5);
    assert.equal(find(series, 'replicaset', 'running_containers'), 2);
    assert.equal(find(series, 'node', 'cpu_usage_cores', { node: 'node-b' }), 0.6);
    assert.equal(find(series, 'cluster', 'memory_working_set_bytes'), 150);
    const rs = series.find((s) => s.key.level === 'replicaset');
    assert.deepEqual(rs?.key, { level: 'replicaset', namespace: 'shop', workload: 'kubernetes/shop/web-5d9c7', replicaset: 'web-5d9c7', deployment: 'web' });
  });

  it('omits a ratio when any member has no limit (a sum of some limits would lie)', () => {
    const a = two({ id: 'a', pod: 'p1' }, { cpu: 0, quota: 50_000, period: 100_000 }, { cpu: 1, quota: 50_000, period: 100_000 });
    const b = two({ id: 'b', pod: 'p2' }, { cpu: 0 }, { cpu: 1 });
    const series = rollUp([a, b]);
    assert.equal(find(series, 'replicaset', 'cpu_usage_limit_ratio'), undefined);
    assert.equal(find(series, 'pod', 'cpu_usage_limit_ratio', { pod: 'p1' }), 0.2);
  });

  it('counts a Kubernetes pod network once, from its sandbox, and skips the sandbox otherwise', () => {
    const sandbox = two({ id: 'pause', pod: 'p1', sandbox: true }, { rx: 0, cpu: 0 }, { rx: 1000, cpu: 1 });
    const app = two({ id: 'app', pod: 'p1' }, { rx: 0, cpu: 0 }, { rx: 1000, cpu: 2 });
    const series = rollUp([sandbox, app]);
    assert.equal(find(series, 'pod', 'network_receive_bytes_per_second'), 100);
    assert.equal(find(series, 'replicaset', 'network_receive_bytes_per_second'), 100);
    assert.equal(find(series, 'pod', 'cpu_usage_cores'), 0.2, 'the pause container adds no CPU');
    assert.equal(find(series, 'pod', 'running_containers'), 1);
    assert.equal(series.filter((s) => s.key.level === 'container' && s.key.container === 'POD').length, 0);
  });

  it('computes the throttling ratio from summed periods', () => {
    const a = two({ id: 'a' }, { periods: 0, throttled: 0 }, { periods: 100, throttled: 25 });
    assert.equal(find(rollUp([a]), 'container', 'cpu_throttled_ratio'), 0.25);
  });
});

describe('RollupTransform', () => {
  const batch = (atMs: number, cpu: number): MetricBatch => ({
    type: 'metrics', version: 1, node: 'node-a', source: 'cgroup', scrapedAtMs: atMs, containers: [container({ id: 'a' }, { cpu })],
  });

  function run(transform: RollupTransform, atMs: number, cpu: number): Envelope[] {
    const out: Envelope[] = [];
    transform.process(envelope(batch(atMs, cpu), Ack.detached()), (e) => out.push(e));
    return out;
  }

  it('emits a window once a sample of a later window arrives, and passes samples through', () => {
    const t = new RollupTransform(rollupSchema.parse({ resolution_secs: 10 }));
    assert.deepEqual(run(t, 1_000, 0).map((e) => e.event.type), ['metrics']);
    assert.deepEqual(run(t, 6_000, 1).map((e) => e.event.type), ['metrics']);
    const out = run(t, 11_000, 2);
    assert.deepEqual(out.map((e) => e.event.type), ['rollups', 'metrics']);
    const rollups = out[0]?.event as RollupBatch;
    assert.equal(rollups.atMs, 10_000);
    assert.equal(find(rollups.series, 'cluster', 'cpu_usage_cores'), 0.2);
  });

  it('lets containers that stopped reporting fall out after the staleness window', () => {
    const t = new RollupTransform(rollupSchema.parse({ resolution_secs: 10, staleness_secs: 15 }));
    run(t, 1_000, 0);
    assert.ok(t.close(10_000));
    assert.equal(t.close(40_000), undefined);
  });
});
