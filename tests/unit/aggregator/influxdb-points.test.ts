import assert from 'node:assert/strict';
import { containerPoints, rollupPoints } from '../../../aggregator/sinks/influxdb';
import { RateTracker } from '../../../aggregator/transforms/rollup';
import { container } from './fixtures';

describe('influxdb points', () => {
  it('uses Telegraf Docker measurement and field names, with the container id as a field', () => {
    const rates = new RateTracker();
    const mk = (at: number, cpu: number) => ({
      type: 'metrics' as const, version: 1 as const, node: 'node-a', source: 'cgroup', scrapedAtMs: at,
      containers: [container({ id: 'abc' }, { cpu, workingSet: 50, memLimit: 200, rx: 10 })],
    });
    containerPoints(mk(0, 1), rates);
    const points = containerPoints(mk(10_000, 3), rates);
    const cpu = points.find((p) => p.measurement === 'docker_container_cpu');
    assert.equal(cpu?.fields?.usage_total, 3e9);
    assert.equal(cpu?.fields?.usage_percent, 20);
    assert.equal(cpu?.fields?.container_id, 'abc');
    assert.equal(cpu?.tags?.container_id, undefined, 'ids are not tags');
    const mem = points.find((p) => p.measurement === 'docker_container_mem');
    assert.equal(mem?.fields?.usage_percent, 25);
    const net = points.find((p) => p.measurement === 'docker_container_net');
    assert.equal(net?.tags?.network, 'eth0');
    assert.equal(net?.fields?.rx_bytes, 10);
  });

  it('groups roll-up series into one point per key with a field per metric', () => {
    const points = rollupPoints({
      type: 'rollups', version: 1, source: 'agg', atMs: 10_000, resolutionMs: 10_000,
      series: [
        { key: { level: 'replicaset', namespace: 'shop', replicaset: 'web' }, metric: 'cpu_usage_cores', value: 1 },
        { key: { level: 'replicaset', namespace: 'shop', replicaset: 'web' }, metric: 'memory_working_set_bytes', value: 5 },
        { key: { level: 'cluster' }, metric: 'cpu_usage_cores', value: 2 },
      ],
    });
    assert.equal(points.length, 2);
    assert.deepEqual(points[0]?.fields, { cpu_usage_cores: 1, memory_working_set_bytes: 5 });
    assert.deepEqual(points[0]?.tags, { level: 'replicaset', aggregator: 'agg', namespace: 'shop', replicaset: 'web' });
  });
});
