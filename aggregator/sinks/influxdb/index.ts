export { containerPoints, ROLLUP_MEASUREMENT, rollupPoints } from './points';
export { influxdbFactory, influxdbSchema, InfluxdbSink } from './sink';
export type { InfluxdbConfig } from './sink';
