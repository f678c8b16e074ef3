/**
 * The HPA's per-metric replica calculation (replica_calculator semantics), as pure functions over
 * aggregate counts instead of per-pod maps: roll-ups give us the average over the replicas that
 * reported and how many did, and the orchestrator gives the replica and ready counts.
 */

/** Ratio band: no change while `1 - down <= ratio <= 1 + up`. */
export interface Tolerance {
  readonly up: number;
  readonly down: number;
}

/**
 * The HPA compares integer milli-values, so 0.55 / 0.5 is exactly 1.1 there; in floating point it
 * is 1.1000000000000003. A tiny epsilon keeps the band's edges inclusive, as users expect.
 */
const EPSILON = 1e-9;

export function withinTolerance(ratio: number, t: Tolerance): boolean {
  return ratio >= 1 - t.down - EPSILON && ratio <= 1 + t.up + EPSILON;
}

/** Replica counts as the orchestrator reports them. */
export interface ReplicaCounts {
  /** The scale target's current replica count (spec). */
  readonly current: number;
  /** Replicas running and ready. The rest (starting, pending) are "not yet ready". */
  readonly ready: number;
}

/** A per-replica metric (utilisation share or average value) over the ready replicas that reported. */
export interface PerReplicaObservation {
  readonly kind: 'utilization' | 'average_value';
  /** Average over the `reporting` replicas. */
  readonly average: number;
  /** How many ready replicas reported a value; ready − reporting are "missing". */
  readonly reporting: number;
  readonly target: number;
}

export interface TotalObservation {
  readonly kind: 'total';
  readonly total: number;
  readonly target: number;
}

export type MetricObservation = PerReplicaObservation | TotalObservation;

export interface MetricProposal {
  readonly replicas: number;
  /** The usage ratio before missing / not-ready replicas were accounted for. */
  readonly ratio: number;
  /** True when the proposal is the current count because the ratio was inside the tolerance. */
  readonly withinTolerance: boolean;
}

export class MetricUnavailableError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'MetricUnavailableError';
  }
}

/**
 * Per-replica metrics. Missing replicas (ready, no value) count as 0 on a scale-up and as
 * max(target, 100 %) on a scale-down; not-ready replicas count as 0 on a scale-up and are left out
 * otherwise — each in the direction that makes the autoscaler act less, as the HPA does. If
 * accounting for them flips the direction, or the count would move against the ratio, keep current.
 */
export function perReplicaProposal(obs: PerReplicaObservation, counts: ReplicaCounts, tol: Tolerance): MetricProposal {
  if (obs.reporting <= 0) throw new MetricUnavailableError('no ready replica reported the metric');
  const ratio = obs.average / obs.target;
  const missing = Math.max(0, counts.ready - obs.reporting);
  const notReady = Math.max(0, counts.current - Math.max(counts.ready, obs.reporting));
  const rebalanceNotReady = notReady > 0 && ratio > 1;
  if (!rebalanceNotReady && missing === 0) {
    if (withinTolerance(ratio, tol)) return { replicas: counts.current, ratio, withinTolerance: true };
    return { replicas: Math.ceil(ratio * obs.reporting), ratio, withinTolerance: false };
  }
  let sum = obs.average * obs.reporting;
  let n = obs.reporting;
  if (missing > 0 && ratio < 1) {
    const fallback = obs.kind === 'utilization' ? Math.max(1, obs.target) : obs.target;
    sum += missing * fallback;
    n += missing;
  } else if (missing > 0 && ratio > 1) {
    n += missing;
  }
  if (rebalanceNotReady) n += notReady;
  const newRatio = sum / n / obs.target;
  const flipped = (ratio < 1 && newRatio > 1) || (ratio > 1 && newRatio < 1);
  if (withinTolerance(newRatio, tol) || flipped) return { replicas: counts.current, ratio, withinTolerance: !flipped };
  const replicas = Math.ceil(newRatio * n);
  if ((newRatio < 1 && replicas > counts.current) || (newRatio > 1 && replicas < counts.current)) {
    return { replicas: counts.current, ratio, withinTolerance: false };
  }
  return { replicas, ratio, withinTolerance: false };
}

/**
 * Total demand ÷ per-replica target (the HPA's External/Object metric with an AverageValue
 * target). From zero replicas the tolerance does not apply, so a workload can wake up.
 */
export function totalProposal(obs: TotalObservation, counts: ReplicaCounts, tol: Tolerance): MetricProposal {
  if (!Number.isFinite(obs.total)) throw new MetricUnavailableError('total is not a number');
  if (counts.current === 0) return { replicas: Math.ceil(obs.total / obs.target), ratio: Infinity, withinTolerance: false };
  const ratio = obs.total / (obs.target * counts.current);
  if (withinTolerance(ratio, tol)) return { replicas: counts.current, ratio, withinTolerance: true };
  return { replicas: Math.ceil(obs.total / obs.target), ratio, withinTolerance: false };
}

export function proposal(obs: MetricObservation, counts: ReplicaCounts, tol: Tolerance): MetricProposal {
  return obs.kind === 'total' ? totalProposal(obs, counts, tol) : perReplicaProposal(obs, counts, tol);
}
