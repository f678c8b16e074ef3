import assert from 'node:assert/strict';
import { EMPTY_STATE, evaluatePolicy, type BehaviorState } from '../../../alerting/autoscale';
import { cpuInputs, cpuPolicy } from './autoscale-helpers';

const T = 5_000_000;

describe('autoscale evaluatePolicy (HPA reconcile order)', () => {
  it('scales up fast, limited by the up rate policy, then continues in the next period', () => {
    const policy = cpuPolicy({ max_replicas: 10 });
    const first = evaluatePolicy(policy, EMPTY_STATE, cpuInputs(T, 1, 4)); // ratio 8 → raw 8
    assert.equal(first.decision.rawRecommendation, 8);
    assert.equal(first.decision.desiredReplicas, 5);
    assert.equal(first.decision.limitedBy, 'scale_up_limit');
    assert.equal(first.decision.action, 'scale_up');
    const second = evaluatePolicy(policy, first.state, cpuInputs(T + 15_000, 5, 0.8)); // raw ceil(1.6 × 5) = 8
    assert.equal(second.decision.desiredReplicas, 8);
    assert.equal(second.decision.limitedBy, null);
  });

  it('caps at max_replicas', () => {
    const r = evaluatePolicy(cpuPolicy({ max_replicas: 3 }), EMPTY_STATE, cpuInputs(T, 1, 4));
    assert.equal(r.decision.desiredReplicas, 3);
    assert.equal(r.decision.limitedBy, 'max_replicas');
  });

  it('seeds the down window with the current count, so it scales down only after the window', () => {
    const policy = cpuPolicy();
    let state: BehaviorState = EMPTY_STATE;
    const decisions = [];
    for (let t = 0; t <= 300_000; t += 15_000) {
      const r = evaluatePolicy(policy, state, cpuInputs(T + t, 6, 0.05));
      state = r.state;
      decisions.push(r.decision);
    }
    assert.ok(decisions.slice(0, -1).every((d) => d.desiredReplicas === 6 && d.limitedBy === 'stabilization_window'));
    assert.equal(decisions.at(-1)?.desiredReplicas, 1);
  });

  it('scales down at the policy rate and never below min', () => {
    const policy = cpuPolicy({
      min_replicas: 2,
      behavior: { scale_down: { stabilization_window_secs: 0, policies: [{ type: 'pods', value: 1, period_secs: 30 }] } },
    });
    let state: BehaviorState = EMPTY_STATE;
    let current = 5;
    const seen: number[] = [];
    for (let t = 0; t < 300_000; t += 15_000) {
      const r = evaluatePolicy(policy, state, cpuInputs(T + t, current, 0.01));
      state = r.state;
      current = r.decision.desiredReplicas;
      seen.push(current);
    }
    assert.deepEqual(seen.slice(0, 7), [4, 4, 3, 3, 2, 2, 2]);
    assert.ok(seen.every((n) => n >= 2));
  });

  it('reports tolerance when the only metric is inside the band', () => {
    const r = evaluatePolicy(cpuPolicy(), EMPTY_STATE, cpuInputs(T, 4, 0.52));
    assert.equal(r.decision.desiredReplicas, 4);
    assert.equal(r.decision.limitedBy, 'tolerance');
  });

  it('snaps an out-of-range current count to min or max', () => {
    const above = evaluatePolicy(cpuPolicy({ max_replicas: 4 }), EMPTY_STATE, cpuInputs(T, 7, 0.5));
    assert.equal(above.decision.desiredReplicas, 4);
    assert.equal(above.decision.limitedBy, 'max_replicas');
    const below = evaluatePolicy(cpuPolicy({ min_replicas: 3 }), EMPTY_STATE, cpuInputs(T, 1, 0.5));
    assert.equal(below.decision.desiredReplicas, 3);
  });

  it('does not scale a target at zero replicas when min is not zero (scaling disabled)', () => {
    const r = evaluatePolicy(cpuPolicy(), EMPTY_STATE, cpuInputs(T, 0, 0));
    assert.equal(r.decision.desiredReplicas, 0);
    assert.equal(r.decision.limitedBy, 'scaling_disabled');
  });

  it('takes the largest proposal of several metrics', () => {
    const policy = cpuPolicy({ metrics: [{ type: 'cpu', target_utilization: 0.5 }, { type: 'total', metric: 'queue_depth', target_per_replica: 10 }] });
    const r = evaluatePolicy(policy, EMPTY_STATE, {
      atMs: T, counts: { current: 2, ready: 2 },
      metrics: [
        { name: 'cpu', observation: { kind: 'utilization', average: 1, reporting: 2, target: 0.5 } }, // → 4
        { name: 'queue_depth', observation: { kind: 'total', total: 65, target: 10 } }, // → 7
      ],
    });
    assert.deepEqual(r.decision.metrics.map((m) => m.proposal), [4, 7]);
    assert.equal(r.decision.rawRecommendation, 7);
    assert.equal(r.decision.desiredReplicas, 6); // up limit from 2: max(2 + 4, 4)
  });

  it('never scales down while a metric is missing, but still scales up', () => {
    const policy = cpuPolicy({ min_replicas: 1, metrics: [{ type: 'cpu', target_utilization: 0.5 }, { type: 'memory', target_utilization: 0.5 }] });
    const low = evaluatePolicy(policy, EMPTY_STATE, {
      atMs: T, counts: { current: 4, ready: 4 },
      metrics: [{ name: 'cpu', observation: { kind: 'utilization', average: 0.05, reporting: 4, target: 0.5 } }, { name: 'memory', error: 'no series' }],
    });
    assert.equal(low.decision.desiredReplicas, 4);
    assert.equal(low.decision.limitedBy, 'missing_metrics');
    const high = evaluatePolicy(policy, EMPTY_STATE, {
      atMs: T, counts: { current: 4, ready: 4 },
      metrics: [{ name: 'cpu', observation: { kind: 'utilization', average: 1, reporting: 4, target: 0.5 } }, { name: 'memory', error: 'no series' }],
    });
    assert.equal(high.decision.desiredReplicas, 8);
  });

  it('does nothing when every metric is missing', () => {
    const r = evaluatePolicy(cpuPolicy(), EMPTY_STATE, { atMs: T, counts: { current: 3, ready: 3 }, metrics: [{ name: 'cpu', error: 'no series' }] });
    assert.equal(r.decision.desiredReplicas, 3);
    assert.equal(r.decision.rawRecommendation, null);
    assert.match(r.decision.error ?? '', /no metric/);
  });

  it('treats not-ready replicas conservatively inside a full evaluation', () => {
    const r = evaluatePolicy(cpuPolicy(), EMPTY_STATE, cpuInputs(T, 4, 0.9, 2));
    assert.equal(r.decision.desiredReplicas, 4);
  });

  it('rejects a policy whose min exceeds max, with the path', () => {
    assert.throws(() => cpuPolicy({ min_replicas: 5, max_replicas: 2 }), /min_replicas: min_replicas must not exceed/);
  });
});
