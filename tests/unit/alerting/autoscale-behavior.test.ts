import assert from 'node:assert/strict';
import {
  applyRateLimits, EMPTY_STATE, recordScaleEvent, scaleDownLimit, scaleUpLimit, stabilize, type BehaviorState, type ScalingRules,
} from '../../../alerting/autoscale';
import { cpuPolicy } from './autoscale-helpers';

const defaults = cpuPolicy().behavior;
const UP = defaults.scale_up;
const DOWN = defaults.scale_down;
const T = 1_000_000;

function rules(r: Partial<ScalingRules>, base: ScalingRules = UP): ScalingRules {
  return { ...base, ...r };
}

describe('autoscale behaviour: defaults', () => {
  it('has the HPA defaults: up 0 s window, max(4 pods, 100 %) per 15 s; down 300 s window, 100 % per 15 s', () => {
    assert.equal(UP.stabilization_window_secs, 0);
    assert.deepEqual(UP.policies, [{ type: 'pods', value: 4, period_secs: 15 }, { type: 'percent', value: 100, period_secs: 15 }]);
    assert.equal(UP.select_policy, 'max');
    assert.equal(DOWN.stabilization_window_secs, 300);
    assert.deepEqual(DOWN.policies, [{ type: 'percent', value: 100, period_secs: 15 }]);
    assert.equal(UP.tolerance, 0.1);
    assert.equal(DOWN.tolerance, 0.1);
  });
});

describe('autoscale behaviour: rate policies', () => {
  it('takes the most permissive up policy with select_policy max', () => {
    assert.equal(scaleUpLimit(1, UP, EMPTY_STATE, T), 5); // max(1 + 4, ceil(1 × 2))
    assert.equal(scaleUpLimit(10, UP, EMPTY_STATE, T), 20); // max(14, 20)
  });

  it('takes the most restrictive up policy with select_policy min, and none when disabled', () => {
    assert.equal(scaleUpLimit(10, rules({ select_policy: 'min' }), EMPTY_STATE, T), 14);
    assert.equal(scaleUpLimit(10, rules({ select_policy: 'disabled' }), EMPTY_STATE, T), 10);
  });

  it('rounds percent up when scaling up, so small counts can grow', () => {
    assert.equal(scaleUpLimit(1, rules({ policies: [{ type: 'percent', value: 10, period_secs: 60 }] }), EMPTY_STATE, T), 2);
  });

  it('counts from the replica count at the start of the period', () => {
    const state = recordScaleEvent(EMPTY_STATE, 1, 5, T, UP, DOWN);
    assert.equal(scaleUpLimit(5, UP, state, T + 10_000), 5); // period start 1 → max(5, 2)
    assert.equal(scaleUpLimit(5, UP, state, T + 15_000), 10); // event left the 15 s period
  });

  it('limits scale-down by pods or percent per period, truncating percent', () => {
    const down = rules({ policies: [{ type: 'pods', value: 1, period_secs: 60 }, { type: 'percent', value: 50, period_secs: 60 }] }, DOWN);
    assert.equal(scaleDownLimit(10, down, EMPTY_STATE, T), 5); // max change: min(9, 5)
    assert.equal(scaleDownLimit(10, { ...down, select_policy: 'min' }, EMPTY_STATE, T), 9); // min change: max(9, 5)
    assert.equal(scaleDownLimit(5, rules({ policies: [{ type: 'percent', value: 50, period_secs: 60 }] }, DOWN), EMPTY_STATE, T), 2);
    assert.equal(scaleDownLimit(10, { ...down, select_policy: 'disabled' }, EMPTY_STATE, T), 10);
  });

  it('remembers removals within the period', () => {
    const down = rules({ policies: [{ type: 'pods', value: 1, period_secs: 60 }] }, DOWN);
    const state = recordScaleEvent(EMPTY_STATE, 5, 4, T, UP, down);
    assert.equal(scaleDownLimit(4, down, state, T + 30_000), 4);
    assert.equal(scaleDownLimit(4, down, state, T + 60_000), 3);
  });

  it('clamps to max and min and names the limit', () => {
    assert.deepEqual(applyRateLimits(30, 10, 1, 12, UP, DOWN, EMPTY_STATE, T), { replicas: 12, reason: 'max_replicas' });
    assert.deepEqual(applyRateLimits(30, 2, 1, 12, UP, DOWN, EMPTY_STATE, T), { replicas: 6, reason: 'scale_up_limit' });
    assert.deepEqual(applyRateLimits(0, 4, 2, 12, UP, DOWN, EMPTY_STATE, T), { replicas: 2, reason: 'min_replicas' });
    const slow = rules({ policies: [{ type: 'pods', value: 1, period_secs: 60 }] }, DOWN);
    assert.deepEqual(applyRateLimits(1, 4, 1, 12, UP, slow, EMPTY_STATE, T), { replicas: 3, reason: 'scale_down_limit' });
    assert.deepEqual(applyRateLimits(7, 4, 1, 12, UP, DOWN, EMPTY_STATE, T), { replicas: 7, reason: undefined });
  });

  it('never scales down through the up limit when events fill the period', () => {
    const state: BehaviorState = { recommendations: [], scaleUpEvents: [{ atMs: T, change: 8 }], scaleDownEvents: [] };
    assert.deepEqual(applyRateLimits(9, 5, 1, 12, rules({ policies: [{ type: 'pods', value: 1, period_secs: 60 }] }), DOWN, state, T + 1000), {
      replicas: 5, reason: 'scale_up_limit',
    });
  });
});

describe('autoscale behaviour: stabilisation windows', () => {
  it('holds a scale-down at the highest recommendation of the down window', () => {
    const history = [{ atMs: T - 100_000, replicas: 10 }];
    assert.equal(stabilize(4, 10, T, UP, DOWN, history).replicas, 10);
    assert.equal(stabilize(4, 10, T + 200_001, UP, DOWN, history).replicas, 4);
  });

  it('holds a scale-up at the lowest recommendation of the up window', () => {
    const up = rules({ stabilization_window_secs: 60 });
    const history = [{ atMs: T - 30_000, replicas: 3 }];
    assert.equal(stabilize(8, 3, T, up, DOWN, history).replicas, 3);
    assert.equal(stabilize(8, 3, T + 30_001, up, DOWN, history).replicas, 8);
  });

  it('scales up at once with the default 0 s up window', () => {
    const history = [{ atMs: T - 1000, replicas: 2 }];
    assert.equal(stabilize(8, 2, T, UP, DOWN, history).replicas, 8);
  });

  it('forgets recommendations older than both windows', () => {
    const r = stabilize(3, 5, T, UP, DOWN, [{ atMs: T - 400_000, replicas: 9 }, { atMs: T - 10_000, replicas: 4 }]);
    assert.deepEqual(r.recommendations.map((x) => x.replicas), [4, 3]);
    assert.equal(r.replicas, 4);
  });
});
