import assert from 'node:assert/strict';
import { runSimulate } from '../../../alerting/simulate';

const POLICY = 'policies:\n  - { name: q, target: { type: webhook, name: q }, workload: w, max_replicas: 20, metrics: [{ type: total, metric: queue_depth, target_per_replica: 10 }] }\n';

describe('autoscale simulate', () => {
  it('prints one JSON decision per evaluation time, in time order', () => {
    const series = [
      { time: 30_000, workload: 'w', metric: 'queue_depth', value: 5, replicas: 3, ready: 3 },
      { time: 0, workload: 'w', metric: 'queue_depth', value: 95, replicas: 3, ready: 3 },
      { time: 0, workload: 'other', metric: 'queue_depth', value: 1e6, replicas: 1, ready: 1 },
    ].map((l) => JSON.stringify(l)).join('\n');
    const out = runSimulate(POLICY, series).map((l) => JSON.parse(l) as { time: string; desiredReplicas: number; limitedBy: string | null });
    assert.deepEqual(out.map((d) => [d.time, d.desiredReplicas]), [['1970-01-01T00:00:00.000Z', 7], ['1970-01-01T00:00:30.000Z', 3]]);
    assert.equal(out[0]?.limitedBy, 'scale_up_limit');
    assert.equal(out[1]?.limitedBy, 'stabilization_window');
  });

  it('names the bad series line', () => {
    assert.throws(() => runSimulate(POLICY, '{"time":0,"workload":"w","metric":"m","value":1,"replicas":1,"ready":1}\n{"time":0}\n'), /series line 2: workload/);
    assert.throws(() => runSimulate(POLICY, 'not json\n'), /series line 1:/);
  });

  it('reports policy errors with their paths', () => {
    assert.throws(() => runSimulate('policies:\n  - { name: q, target: { type: webhook, name: q }, workload: w, max_replicas: 0, metrics: [] }\n', ''), /policies\.0\.max_replicas[\s\S]*policies\.0\.metrics/);
  });
});
