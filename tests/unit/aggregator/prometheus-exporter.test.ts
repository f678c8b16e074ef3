import assert from 'node:assert/strict';
import type { MetricBatch, RollupBatch } from '../../../core/event';
import { ContainerSeriesState, escapeLabelValue } from '../../../aggregator/sinks/prometheus_exporter';
import { container } from './fixtures';

const batch = (atMs: number, ids: string[]): MetricBatch => ({
  type: 'metrics', version: 1, node: 'node-a', source: 'cgroup', scrapedAtMs: atMs,
  containers: ids.map((id) => container({ id, pod: `web-5d9c7-${id}`, deployment: 'web' }, { cpu: 1.5, workingSet: 2048 })),
  machine: [{ name: 'machine_cpu_cores', kind: 'gauge', value: 2 }],
});

describe('prometheus_exporter state', () => {
  it('renders cAdvisor names and labels with TYPE lines, no timestamps', () => {
    const state = new ContainerSeriesState(60_000);
    state.apply(batch(1000, ['a']));
    const text = state.render();
    assert.match(text, /^# TYPE container_cpu_usage_seconds_total counter$/m);
    assert.match(text, /^container_cpu_usage_seconds_total\{id="\/docker\/a",name="k8s_a",image="busybox:latest",namespace="shop",pod="web-5d9c7-a",container="a",node="node-a"\} 1\.5$/m);
    assert.match(text, /^machine_cpu_cores\{node="node-a"\} 2$/m);
    assert.match(text, /^container_last_seen\{.*\} 1$/m);
  });

  it('derives kube-state-metrics owner series from labels', () => {
    const state = new ContainerSeriesState(60_000);
    state.apply(batch(1000, ['a']));
    const text = state.render();
    assert.match(text, /^kube_pod_owner\{namespace="shop",pod="web-5d9c7-a",owner_kind="ReplicaSet",owner_name="web-5d9c7",owner_is_controller="true"\} 1$/m);
    assert.match(text, /^kube_replicaset_owner\{namespace="shop",replicaset="web-5d9c7",owner_kind="Deployment",owner_name="web",owner_is_controller="true"\} 1$/m);
  });

  it('removes series of containers that are gone after the staleness window', () => {
    const state = new ContainerSeriesState(30_000);
    state.apply(batch(1000, ['a', 'b']));
    state.apply(batch(20_000, ['a']));
    assert.equal(state.expire(40_000), 1);
    const text = state.render();
    assert.ok(text.includes('pod="web-5d9c7-a"'));
    assert.ok(!text.includes('pod="web-5d9c7-b"'));
  });

  it('exposes roll-ups under recording-rule names and replaces a window as a whole', () => {
    const state = new ContainerSeriesState(60_000);
    const rollup = (atMs: number, value: number): RollupBatch => ({
      type: 'rollups', version: 1, source: 'agg-1', atMs, resolutionMs: 10_000,
      series: [
        { key: { level: 'replicaset', namespace: 'shop', workload: 'kubernetes/shop/web', replicaset: 'web' }, metric: 'cpu_usage_cores', value },
        { key: { level: 'cluster' }, metric: 'not_a_known_metric', value: 1 },
      ],
    });
    state.applyRollups(rollup(10_000, 0.5));
    state.applyRollups(rollup(20_000, 0.75));
    state.applyRollups(rollup(15_000, 9)); // late, older window: ignored
    const text = state.render();
    assert.match(text, /^replicaset:container_cpu_usage_seconds:sum_rate\{namespace="shop",replicaset="web"\} 0\.75$/m);
    assert.ok(!text.includes('not_a_known_metric'));
  });

  it('escapes label values', () => {
    assert.equal(escapeLabelValue('a"b\\c\nd'), 'a\\"b\\\\c\\nd');
  });
});
