import {
  applyRateLimits, recordScaleEvent, stabilize, type BehaviorState, type RateReason, type TimedRecommendation,
} from './behavior';
import { MetricUnavailableError, proposal, type MetricObservation, type ReplicaCounts } from './replicas';
import type { AutoscalePolicy } from './schema';

/** One metric as it entered a decision: its observation, or why there was none. */
export interface MetricInput {
  readonly name: string;
  readonly observation?: MetricObservation;
  readonly error?: string;
}

export interface DecisionInputs {
  readonly atMs: number;
  readonly counts: ReplicaCounts;
  /** One entry per policy metric, in policy order. */
  readonly metrics: readonly MetricInput[];
}

/** Why the outcome differs from the raw recommendation (or why nothing was computed). */
export type LimitReason =
  | 'tolerance' | 'stabilization_window' | 'scale_up_limit' | 'scale_down_limit' | 'min_replicas' | 'max_replicas'
  | 'missing_metrics' | 'scaling_disabled';

export interface MetricResult {
  readonly name: string;
  readonly kind?: MetricObservation['kind'];
  readonly value?: number;
  readonly target?: number;
  readonly reporting?: number;
  readonly ratio?: number;
  readonly proposal?: number;
  readonly error?: string;
}

/** What one evaluation decided and why: the decision record's pure part. */
export interface Decision {
  readonly atMs: number;
  readonly policy: string;
  readonly currentReplicas: number;
  readonly readyReplicas: number;
  readonly metrics: readonly MetricResult[];
  /** The largest per-metric proposal; null when no metric produced one. */
  readonly rawRecommendation: number | null;
  readonly stabilizedRecommendation: number | null;
  readonly desiredReplicas: number;
  readonly action: 'scale_up' | 'scale_down' | 'none';
  readonly limitedBy: LimitReason | null;
  readonly error?: string;
}

export interface Evaluation {
  readonly decision: Decision;
  readonly state: BehaviorState;
}

interface Proposals {
  readonly results: MetricResult[];
  readonly best: number | null;
  readonly invalid: number;
  readonly allWithinTolerance: boolean;
}

function proposeAll(policy: AutoscalePolicy, inputs: DecisionInputs): Proposals {
  const { scale_up: up, scale_down: down } = policy.behavior;
  const tol = { up: up.tolerance, down: down.tolerance };
  const results: MetricResult[] = [];
  let best: number | null = null;
  let invalid = 0;
  let allWithinTolerance = true;
  for (const m of inputs.metrics) {
    const obs = m.observation;
    if (!obs) {
      invalid += 1;
      results.push({ name: m.name, error: m.error ?? 'no data' });
      continue;
    }
    const value = obs.kind === 'total' ? obs.total : obs.average;
    const base = { name: m.name, kind: obs.kind, value, target: obs.target, ...(obs.kind === 'total' ? {} : { reporting: obs.reporting }) };
    try {
      const p = proposal(obs, inputs.counts, tol);
      results.push({ ...base, ratio: p.ratio, proposal: p.replicas });
      best = best === null ? p.replicas : Math.max(best, p.replicas);
      allWithinTolerance &&= p.withinTolerance;
    } catch (err) {
      if (!(err instanceof MetricUnavailableError)) throw err;
      invalid += 1;
      results.push({ ...base, error: err.message });
    }
  }
  return { results, best, invalid, allWithinTolerance };
}

function decision(policy: AutoscalePolicy, inputs: DecisionInputs, rest: Omit<Decision, 'atMs' | 'policy' | 'currentReplicas' | 'readyReplicas' | 'action'>): Decision {
  const current = inputs.counts.current;
  const action = rest.desiredReplicas > current ? 'scale_up' : rest.desiredReplicas < current ? 'scale_down' : 'none';
  return { atMs: inputs.atMs, policy: policy.name, currentReplicas: current, readyReplicas: inputs.counts.ready, action, ...rest };
}

/** The HPA seeds the down window with the current count, so a restart cannot scale down at once. */
function seededHistory(state: BehaviorState, current: number, atMs: number): readonly TimedRecommendation[] {
  return state.recommendations.length === 0 ? [{ atMs, replicas: current }] : state.recommendations;
}

/**
 * One evaluation of a policy, HPA v2 order: out-of-range current counts snap to min / max;
 * otherwise each metric proposes a count and the largest wins (a metric error blocks scaling
 * down); the stabilisation windows and then the rate policies and min / max shape the result.
 */
export function evaluatePolicy(policy: AutoscalePolicy, state: BehaviorState, inputs: DecisionInputs): Evaluation {
  const { scale_up: up, scale_down: down } = policy.behavior;
  const current = inputs.counts.current;
  const min = policy.min_replicas;
  const max = policy.max_replicas;
  const proposals = proposeAll(policy, inputs);
  const common = { metrics: proposals.results, rawRecommendation: proposals.best };
  if (current === 0 && min !== 0) {
    return { decision: decision(policy, inputs, { ...common, stabilizedRecommendation: null, desiredReplicas: 0, limitedBy: 'scaling_disabled' }), state };
  }
  if (current > max || current < min) {
    const desired = current > max ? max : min;
    const next = recordScaleEvent(state, current, desired, inputs.atMs, up, down);
    const limitedBy = current > max ? 'max_replicas' : 'min_replicas';
    return { decision: decision(policy, inputs, { ...common, stabilizedRecommendation: null, desiredReplicas: desired, limitedBy }), state: next };
  }
  if (proposals.best === null || (proposals.invalid > 0 && proposals.best < current)) {
    const error = proposals.best === null ? 'no metric could be computed' : 'some metrics are missing; not scaling down';
    return { decision: decision(policy, inputs, { ...common, stabilizedRecommendation: null, desiredReplicas: current, limitedBy: 'missing_metrics', error }), state };
  }
  const raw = proposals.best;
  const stabilized = stabilize(raw, current, inputs.atMs, up, down, seededHistory(state, current, inputs.atMs));
  const withHistory: BehaviorState = { ...state, recommendations: stabilized.recommendations };
  const rated = applyRateLimits(stabilized.replicas, current, min, max, up, down, withHistory, inputs.atMs);
  const desired = rated.replicas;
  const next = desired === current ? withHistory : recordScaleEvent(withHistory, current, desired, inputs.atMs, up, down);
  const limitedBy = limitReason(raw, stabilized.replicas, rated.reason, current, proposals.allWithinTolerance);
  return { decision: decision(policy, inputs, { ...common, stabilizedRecommendation: stabilized.replicas, desiredReplicas: desired, limitedBy }), state: next };
}

function limitReason(raw: number, stabilized: number, rate: RateReason, current: number, allWithinTolerance: boolean): LimitReason | null {
  if (rate) return rate;
  if (stabilized !== raw) return 'stabilization_window';
  if (raw === current && allWithinTolerance) return 'tolerance';
  return null;
}
