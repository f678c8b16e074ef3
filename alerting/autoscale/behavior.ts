import type { ScalingRules } from './schema';

/**
 * HPA v2 behaviour as pure functions over an explicit, serialisable state (the HPA keeps the same
 * history in controller memory): the recommendations of the last stabilisation window and the
 * scale events of the last rate-policy period.
 */

export interface TimedRecommendation {
  readonly atMs: number;
  readonly replicas: number;
}

export interface ScaleEvent {
  readonly atMs: number;
  /** Replicas added (scale-up) or removed (scale-down), always positive. */
  readonly change: number;
}

export interface BehaviorState {
  readonly recommendations: readonly TimedRecommendation[];
  readonly scaleUpEvents: readonly ScaleEvent[];
  readonly scaleDownEvents: readonly ScaleEvent[];
}

export const EMPTY_STATE: BehaviorState = { recommendations: [], scaleUpEvents: [], scaleDownEvents: [] };

export interface Stabilized {
  readonly replicas: number;
  readonly recommendations: readonly TimedRecommendation[];
}

/**
 * Records `raw` and returns the stabilised recommendation: never above the lowest recommendation
 * of the up window (so a brief spike does not scale up when a window is set) and never below the
 * highest of the down window (so a brief dip does not scale down), starting from `current`.
 */
export function stabilize(
  raw: number, current: number, nowMs: number, up: ScalingRules, down: ScalingRules, history: readonly TimedRecommendation[],
): Stabilized {
  const upCutoff = nowMs - up.stabilization_window_secs * 1000;
  const downCutoff = nowMs - down.stabilization_window_secs * 1000;
  const keepFrom = Math.min(upCutoff, downCutoff);
  const recommendations = [...history.filter((r) => r.atMs > keepFrom), { atMs: nowMs, replicas: raw }];
  let upRecommendation = raw;
  let downRecommendation = raw;
  // `raw` itself always counts (it seeded both); older entries only inside their window.
  for (const r of history) {
    if (r.atMs > upCutoff) upRecommendation = Math.min(upRecommendation, r.replicas);
    if (r.atMs > downCutoff) downRecommendation = Math.max(downRecommendation, r.replicas);
  }
  let replicas = current;
  if (replicas < upRecommendation) replicas = upRecommendation;
  if (replicas > downRecommendation) replicas = downRecommendation;
  return { replicas, recommendations };
}

function changeWithin(events: readonly ScaleEvent[], periodSecs: number, nowMs: number): number {
  const cutoff = nowMs - periodSecs * 1000;
  let sum = 0;
  for (const e of events) if (e.atMs > cutoff) sum += e.change;
  return sum;
}

/**
 * The most replicas the scale-up policies allow now. Each policy counts from the replica count at
 * the start of its period (current minus what was added, plus what was removed, in that period);
 * `max` takes the most permissive policy, `min` the most restrictive, `disabled` forbids scaling up.
 */
export function scaleUpLimit(current: number, rules: ScalingRules, state: BehaviorState, nowMs: number): number {
  if (rules.select_policy === 'disabled') return current;
  let result = rules.select_policy === 'min' ? Infinity : -Infinity;
  for (const p of rules.policies) {
    const start = current - changeWithin(state.scaleUpEvents, p.period_secs, nowMs) + changeWithin(state.scaleDownEvents, p.period_secs, nowMs);
    // Percent rounds up, or a small workload could never grow by a percentage.
    const proposed = p.type === 'pods' ? start + p.value : Math.ceil(start * (1 + p.value / 100));
    result = rules.select_policy === 'min' ? Math.min(result, proposed) : Math.max(result, proposed);
  }
  return result;
}

/** The fewest replicas the scale-down policies allow now (`max` = the biggest allowed drop). */
export function scaleDownLimit(current: number, rules: ScalingRules, state: BehaviorState, nowMs: number): number {
  if (rules.select_policy === 'disabled') return current;
  let result = rules.select_policy === 'min' ? -Infinity : Infinity;
  for (const p of rules.policies) {
    const start = current - changeWithin(state.scaleUpEvents, p.period_secs, nowMs) + changeWithin(state.scaleDownEvents, p.period_secs, nowMs);
    // Percent truncates toward zero, like the HPA's integer conversion.
    const proposed = p.type === 'pods' ? start - p.value : Math.trunc(start * (1 - p.value / 100));
    result = rules.select_policy === 'min' ? Math.max(result, proposed) : Math.min(result, proposed);
  }
  return result;
}

export type RateReason = 'scale_up_limit' | 'scale_down_limit' | 'max_replicas' | 'min_replicas' | undefined;

/** Applies the rate policies and the hard min / max to a stabilised recommendation. */
export function applyRateLimits(
  desired: number, current: number, min: number, max: number, up: ScalingRules, down: ScalingRules, state: BehaviorState, nowMs: number,
): { replicas: number; reason: RateReason } {
  if (desired > current) {
    // A limit below current (events still in the period) means "no further up", never "down".
    const upLimit = Math.max(current, scaleUpLimit(current, up, state, nowMs));
    const allowed = Math.min(max, upLimit);
    if (desired > allowed) return { replicas: allowed, reason: upLimit < max ? 'scale_up_limit' : 'max_replicas' };
    return { replicas: desired, reason: undefined };
  }
  if (desired < current) {
    const downLimit = Math.min(current, scaleDownLimit(current, down, state, nowMs));
    const allowed = Math.max(min, downLimit);
    if (desired < allowed) return { replicas: allowed, reason: downLimit > min ? 'scale_down_limit' : 'min_replicas' };
    return { replicas: desired, reason: undefined };
  }
  return { replicas: desired, reason: undefined };
}

/** Records a change and forgets events older than the longest policy period. */
export function recordScaleEvent(state: BehaviorState, from: number, to: number, nowMs: number, up: ScalingRules, down: ScalingRules): BehaviorState {
  const longest = (r: ScalingRules): number => Math.max(0, ...r.policies.map((p) => p.period_secs)) * 1000;
  const upEvents = state.scaleUpEvents.filter((e) => e.atMs > nowMs - longest(up));
  const downEvents = state.scaleDownEvents.filter((e) => e.atMs > nowMs - longest(down));
  if (to > from) upEvents.push({ atMs: nowMs, change: to - from });
  if (to < from) downEvents.push({ atMs: nowMs, change: from - to });
  return { recommendations: state.recommendations, scaleUpEvents: upEvents, scaleDownEvents: downEvents };
}
