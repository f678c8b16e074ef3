/**
 * Names of what the alerting engine and the autoscaler expose, so the alerts dashboard can be
 * built before (and kept in step with) alerting/. Follows `cargoscope_<thing>_<unit>[_total]`.
 */
export const ALERTING_METRIC = {
  /** Gauge, 1 per alert instance currently firing (pending ones are not counted). */
  alertsFiring: 'cargoscope_alerts_firing',
  /** Gauge: the stabilized recommendation of the last evaluation, per workload. */
  autoscalerDesiredReplicas: 'cargoscope_autoscaler_desired_replicas',
  /** Gauge: replicas the orchestrator reported at the last evaluation, per workload. */
  autoscalerCurrentReplicas: 'cargoscope_autoscaler_current_replicas',
  /** Counter: evaluations that left a decision record, by direction and limiting reason. */
  autoscalerDecisions: 'cargoscope_autoscaler_decisions_total',
  // Added by alerting/ (issue 7):
  /** Histogram: time to evaluate every rule once. */
  ruleEvaluationSeconds: 'cargoscope_alerting_rule_evaluation_seconds',
  /** Counter: notification attempts by receiver and outcome (`sent`, `failed`). */
  notifications: 'cargoscope_alerting_notifications_total',
  /** Counter: version conflicts met when writing a replica count (each one re-read and re-decided). */
  autoscalerConflicts: 'cargoscope_autoscaler_conflicts_total',
} as const;

/** Roll-up series (replicaset level) the autoscaler publishes with each decision, for dashboards. Added by alerting/. */
export const AUTOSCALER_SERIES = {
  currentReplicas: 'autoscaler_current_replicas',
  desiredReplicas: 'autoscaler_desired_replicas',
  rawRecommendation: 'autoscaler_raw_recommendation',
} as const;

/**
 * Labels of the alerting series. `workload` is the workload id of core/event (`kind/namespace/replicaSet`);
 * `direction` is `up`, `down` or `none`; `reason` is the decision's `limitedBy`
 * (alerting/autoscale/decide.ts `LimitReason`: `tolerance`, `stabilization_window`, `scale_up_limit`,
 * `scale_down_limit`, `min_replicas`, `max_replicas`, `missing_metrics`, `scaling_disabled`), or
 * `none` when nothing limited it and `error` when the target could not be read.
 */
export const ALERTING_LABEL = {
  alertname: 'alertname',
  severity: 'severity',
  workload: 'workload',
  direction: 'direction',
  reason: 'reason',
} as const;

