export { containerPoints, ROLLUP_MEASUREMENT, rollupPoints } from './points';
export { classifyInfluxError, influxdbFactory, influxdbSchema, InfluxdbSink } from './sink';
export type { InfluxdbConfig } from './sink';
