import assert from 'node:assert/strict';
import { MetricUnavailableError, perReplicaProposal, totalProposal, withinTolerance } from '../../../alerting/autoscale';

const TOL = { up: 0.1, down: 0.1 };

describe('autoscale per-metric replica calculation (HPA replica_calculator semantics)', () => {
  it('keeps the current count inside the tolerance band, edges included', () => {
    const p = perReplicaProposal({ kind: 'utilization', average: 0.55, reporting: 3, target: 0.5 }, { current: 3, ready: 3 }, TOL);
    assert.equal(p.replicas, 3);
    assert.equal(p.withinTolerance, true);
    assert.equal(perReplicaProposal({ kind: 'utilization', average: 0.45, reporting: 3, target: 0.5 }, { current: 3, ready: 3 }, TOL).replicas, 3);
  });

  it('scales to ceil(current × metric / target) just outside the band', () => {
    assert.equal(perReplicaProposal({ kind: 'utilization', average: 0.56, reporting: 3, target: 0.5 }, { current: 3, ready: 3 }, TOL).replicas, 4);
    assert.equal(perReplicaProposal({ kind: 'utilization', average: 0.9, reporting: 1, target: 0.3 }, { current: 1, ready: 1 }, TOL).replicas, 3);
    assert.equal(perReplicaProposal({ kind: 'utilization', average: 0.1, reporting: 4, target: 0.5 }, { current: 4, ready: 4 }, TOL).replicas, 1);
  });

  it('applies separate up and down tolerances', () => {
    const tol = { up: 0, down: 0.5 };
    assert.equal(perReplicaProposal({ kind: 'average_value', average: 10.5, reporting: 4, target: 10 }, { current: 4, ready: 4 }, tol).replicas, 5);
    assert.equal(perReplicaProposal({ kind: 'average_value', average: 6, reporting: 4, target: 10 }, { current: 4, ready: 4 }, tol).replicas, 4);
    assert.equal(perReplicaProposal({ kind: 'average_value', average: 4, reporting: 4, target: 10 }, { current: 4, ready: 4 }, tol).replicas, 2);
    assert.equal(withinTolerance(1.0000001, { up: 0, down: 0 }), false);
  });

  it('counts missing replicas at the target on a scale-down, damping it', () => {
    // Without the missing two: ceil(0.2 × 2) = 1. With them at the target: (2·2 + 2·10) / 4 = 6 → ceil(0.6 × 4) = 3.
    const p = perReplicaProposal({ kind: 'average_value', average: 2, reporting: 2, target: 10 }, { current: 4, ready: 4 }, TOL);
    assert.equal(p.replicas, 3);
  });

  it('counts missing utilisation replicas at max(100 %, target) on a scale-down', () => {
    // (0.1·2 + 1.0·2) / 4 = 0.55 → ratio 1.1 against 0.5: inside the band, so no scale-down at all.
    const p = perReplicaProposal({ kind: 'utilization', average: 0.1, reporting: 2, target: 0.5 }, { current: 4, ready: 4 }, TOL);
    assert.equal(p.replicas, 4);
  });

  it('counts missing replicas as 0 on a scale-up', () => {
    assert.equal(perReplicaProposal({ kind: 'average_value', average: 20, reporting: 2, target: 10 }, { current: 4, ready: 4 }, TOL).replicas, 4);
    assert.equal(perReplicaProposal({ kind: 'average_value', average: 30, reporting: 2, target: 10 }, { current: 4, ready: 4 }, TOL).replicas, 6);
  });

  it('counts not-ready replicas as 0 on a scale-up and keeps current when that flips the direction', () => {
    assert.equal(perReplicaProposal({ kind: 'utilization', average: 0.9, reporting: 2, target: 0.5 }, { current: 4, ready: 2 }, TOL).replicas, 4);
    assert.equal(perReplicaProposal({ kind: 'utilization', average: 1.5, reporting: 2, target: 0.5 }, { current: 4, ready: 2 }, TOL).replicas, 6);
  });

  it('leaves not-ready replicas out of a scale-down', () => {
    assert.equal(perReplicaProposal({ kind: 'utilization', average: 0.1, reporting: 2, target: 0.5 }, { current: 4, ready: 2 }, TOL).replicas, 1);
  });

  it('refuses to propose without any reporting replica', () => {
    assert.throws(() => perReplicaProposal({ kind: 'utilization', average: 0, reporting: 0, target: 0.5 }, { current: 2, ready: 2 }, TOL), MetricUnavailableError);
  });

  it('divides total demand by the per-replica target, with the tolerance against current × target', () => {
    assert.equal(totalProposal({ kind: 'total', total: 95, target: 10 }, { current: 3, ready: 3 }, TOL).replicas, 10);
    assert.equal(totalProposal({ kind: 'total', total: 31, target: 10 }, { current: 3, ready: 3 }, TOL).replicas, 3);
    assert.equal(totalProposal({ kind: 'total', total: 5, target: 10 }, { current: 3, ready: 3 }, TOL).replicas, 1);
    assert.equal(totalProposal({ kind: 'total', total: 25, target: 10 }, { current: 0, ready: 0 }, TOL).replicas, 3);
  });
});
