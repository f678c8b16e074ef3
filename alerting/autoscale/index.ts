export { applyRateLimits, EMPTY_STATE, recordScaleEvent, scaleDownLimit, scaleUpLimit, stabilize } from './behavior';
export type { BehaviorState, ScaleEvent, TimedRecommendation } from './behavior';
export { evaluatePolicy } from './decide';
export type { Decision, DecisionInputs, Evaluation, LimitReason, MetricInput, MetricResult } from './decide';
export { loadPolicies, parsePolicy } from './load';
export { MetricUnavailableError, perReplicaProposal, proposal, totalProposal, withinTolerance } from './replicas';
export type { MetricObservation, MetricProposal, PerReplicaObservation, ReplicaCounts, Tolerance, TotalObservation } from './replicas';
export { metricSpecSchema, policyFileSchema, policySchema, targetSchema } from './schema';
export type { AutoscalePolicy, MetricSpec, ScaleTarget, ScalingPolicy, ScalingRules } from './schema';
