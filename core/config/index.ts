export { ConfigError, formatIssues, joinPath } from './errors';
export type { ConfigIssue } from './errors';
export { applyEnvOverrides, interpolateEnv } from './interpolate';
export { loadConfigFile, loadConfigText } from './load';
export type { LoadOptions } from './load';
export { kafkaSchema, listenSchema, topLevelSchema } from './schema';
export type { KafkaConfig, TopLevelConfig } from './schema';
export {
  batchSchema, bufferSchema, componentIdSchema, retrySchema, SINK_DELIVERY_KEYS, sinkDeliverySchema,
} from './shared-schemas';
export type { BatchConfig, BufferConfig, RetryConfig, SinkDeliveryConfig } from './shared-schemas';
export { deepFreeze, validateConfig, zodIssues } from './validate';
export type { ComponentSpec, ValidatedConfig } from './validate';
