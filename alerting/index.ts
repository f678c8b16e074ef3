/**
 * alerting/: rules over roll-ups, Alertmanager-compatible notifications, HPA-v2-style autoscaling.
 * Components: `alert_rules` and `autoscaler` (sinks). The CLI's `autoscale simulate` calls `runSimulate`.
 */
export { alertRulesFactory, AlertRulesSink, toNotifyAlerts } from './components/rules-sink';
export { alertRulesSchema } from './components/rules-schema';
export type { AlertRulesConfig } from './components/rules-schema';
export { autoscalerFactory, AutoscalerSink, decisionRollups } from './components/autoscaler-sink';
export { autoscalerSchema } from './components/autoscaler-schema';
export type { AutoscalerConfig } from './components/autoscaler-schema';
export { PolicyController } from './autoscale/controller';
export type { ControllerOptions, DecisionRecord } from './autoscale/controller';
export { parseSeries, runSimulate, simulate } from './simulate';
export { prometheusQuerySourceFactory, PrometheusQuerySource, prometheusQuerySchema, vectorToSeries } from './sources/prometheus_query';
export type { PrometheusQueryConfig } from './sources/prometheus_query';
export type { SeriesLine, SimulatedDecision } from './simulate';
