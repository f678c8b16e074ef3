export { CONTAINER_LABEL, CONTAINER_METRIC, MACHINE_METRIC } from './container-metrics';
export type { ContainerMetricName } from './container-metrics';
export { SELF_LABEL, SELF_METRIC } from './self-metrics';
export { TOPIC } from './topics';
export type { Topic } from './topics';
export { DEFAULT_PORT } from './ports';
export { ROLLUP_LEVELS, ROLLUP_METRIC, rollupSeriesName } from './rollups';
export type { RollupMetricId } from './rollups';
export { ALERTING_LABEL, ALERTING_METRIC, AUTOSCALER_SERIES } from './alerting';
